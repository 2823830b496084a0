// `npm run contract:update`: makes the committed contract what the worker serves now, on purpose. Writes
// test/contract/openapi.json and the client types generated from it, and lists the breaking changes being
// accepted, so that whoever runs it (and whoever reviews the diff) sees them named.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { breakingChanges } from "./breaking-changes.ts";
import { clientTypes } from "./client-types.ts";
import { COMMITTED_CLIENT_TYPES, COMMITTED_DOCUMENT } from "./files.ts";
import { liveDocument } from "./live-document.ts";

const document = await liveDocument();
const committed = existsSync(COMMITTED_DOCUMENT) ? readFileSync(COMMITTED_DOCUMENT, "utf8") : undefined;
const accepted = committed === undefined ? [] : await breakingChanges(committed, document);

function write(file: string, text: string): void {
  const changed = !existsSync(file) || readFileSync(file, "utf8") !== text;
  if (changed) writeFileSync(file, text);
  console.log(`${relative(process.cwd(), file)}: ${changed ? "updated" : "unchanged"}`);
}

write(COMMITTED_DOCUMENT, document);
write(COMMITTED_CLIENT_TYPES, await clientTypes(document));
if (accepted.length > 0) {
  console.log(`\nBreaking changes accepted (${accepted.length}); say why in the commit:`);
  for (const change of accepted) console.log(`  ${change}`);
}

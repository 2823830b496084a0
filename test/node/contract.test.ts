import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { breakingChanges } from "../../scripts/contract/breaking-changes.ts";
import { clientTypes } from "../../scripts/contract/client-types.ts";
import { COMMITTED_CLIENT_TYPES, COMMITTED_DOCUMENT } from "../../scripts/contract/files.ts";
import { liveDocument } from "../../scripts/contract/live-document.ts";

const UPDATE = "if the change is meant, run `npm run contract:update` and commit the result";

// Any change to the document fails here until the committed contract is updated on purpose, so every change
// shows in review; a breaking one is also named as such.
describe("the committed OpenAPI contract (test/contract/)", () => {
  let served: string;
  const committed = readFileSync(COMMITTED_DOCUMENT, "utf8");

  beforeAll(async () => {
    served = await liveDocument();
  }, 60_000);

  it("breaks nothing a client of the committed document relies on", async () => {
    expect(await breakingChanges(committed, served), `breaking changes; ${UPDATE}`).toEqual([]);
  });

  it("is the document the worker serves", () => {
    expect(served, `the document changed; ${UPDATE}`).toBe(committed);
  });

  it("carries the client types openapi-typescript generates from it", async () => {
    const types = await clientTypes(committed);
    expect(types, `the generated types are stale; ${UPDATE}`).toBe(readFileSync(COMMITTED_CLIENT_TYPES, "utf8"));
  });
});

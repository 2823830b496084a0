// `npm run dev`: the embedded PostgreSQL and its Neon-compatible endpoint, migrated, then `wrangler dev`.
// With DATABASE_URL set (environment or .dev.vars) nothing local starts and the worker talks to that database.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ensureDevSecrets } from "./dev-secrets.ts";
import { startLocalStack } from "./local-db/index.ts";
import { migrateDatabase } from "./migrate.ts";
import { spawnWrangler } from "./wrangler.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = process.env;
const apiPort = env.PORT ?? "8787";

const written = ensureDevSecrets(`${root}.dev.vars`);
if (written.length > 0) console.log(`Wrote new local secrets to .dev.vars: ${written.join(", ")}`);

const externalUrl = env.DATABASE_URL || devVar("DATABASE_URL");
const vars: string[] = [];
let stopStack = async () => {};

if (externalUrl) {
  console.log(`Using DATABASE_URL (${new URL(externalUrl).host}); the embedded PostgreSQL stays off.`);
  console.log("Apply migrations to it with `npm run db:migrate`.");
} else {
  const stack = await startLocalStack({
    dataDir: `${root}.local/postgres`,
    postgresPort: Number(env.LOCAL_POSTGRES_PORT ?? 54329),
    endpointPort: Number(env.LOCAL_NEON_PORT ?? 54330),
    persistent: true,
    database: "cloud_notes",
  });
  stopStack = stack.stop;
  await migrateDatabase(stack.databaseUrl);
  console.log(`Embedded PostgreSQL: ${stack.databaseUrl} (data in .local/postgres)`);
  console.log(`Neon-compatible endpoint: ${stack.neonEndpoint}`);
  // A second env file layered over .dev.vars: wrangler takes required secrets only from such files.
  const localVars = `${root}.local/dev.vars`;
  writeFileSync(localVars, `DATABASE_URL="${stack.databaseUrl}"\n`, { mode: 0o600 });
  vars.push("--env-file", `${root}.dev.vars`, "--env-file", localVars);
  vars.push("--var", `LOCAL_NEON_ENDPOINT:${stack.neonEndpoint}`);
}

console.log(`API on http://localhost:${apiPort}, docs at http://localhost:${apiPort}/docs`);
const wrangler = spawnWrangler(["dev", "--port", apiPort, "--ip", "127.0.0.1", ...vars, ...process.argv.slice(2)]);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler.exitCode === null) wrangler.kill("SIGINT");
  await stopStack();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
wrangler.on("exit", (code) => void shutdown(code ?? 0));

function devVar(name: string): string | undefined {
  const file = `${root}.dev.vars`;
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}=`));
  return line?.slice(name.length + 1).replace(/^"(.*)"$/, "$1") || undefined;
}

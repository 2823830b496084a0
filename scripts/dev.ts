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
// Where the embedded database keeps its data between runs.
const localDir = env.LOCAL_DATA_DIR ?? `${root}.local`;
// The local secrets (a test moves them, so as never to write the developer's).
const devVarsFile = env.DEV_VARS_FILE ?? `${root}.dev.vars`;

const written = ensureDevSecrets(devVarsFile);
if (written.length > 0) console.log(`Added to ${devVarsFile}: ${written.join(", ")}`);

const externalUrl = env.DATABASE_URL || devVar("DATABASE_URL");
// Named, rather than found by wrangler beside wrangler.toml; the environment is read as well. Webhooks
// may go to a receiver on this machine (http://localhost:…), which deployed workers never allow.
const vars: string[] = ["--env-file", devVarsFile, "--var", "WEBHOOK_LOCAL_RECEIVERS:true"];
let stopStack = async () => {};
let killStack = () => {};

if (externalUrl) {
  console.log(`Using DATABASE_URL (${new URL(externalUrl).host}); the embedded PostgreSQL stays off.`);
  console.log("Apply migrations to it with `npm run db:migrate`.");
} else {
  const stack = await startLocalStack({
    dataDir: `${localDir}/postgres`,
    postgresPort: Number(env.LOCAL_POSTGRES_PORT ?? 54329),
    endpointPort: Number(env.LOCAL_NEON_PORT ?? 54330),
    persistent: true,
    database: "cloud_notes",
  });
  stopStack = stack.stop;
  killStack = stack.kill;
  await migrateDatabase(stack.databaseUrl);
  console.log(`Embedded PostgreSQL: ${stack.databaseUrl} (data in ${localDir}/postgres)`);
  console.log(`Neon-compatible endpoint: ${stack.neonEndpoint}`);
  // A second env file, layered over the first: the embedded database's URL.
  const localVars = `${localDir}/dev.vars`;
  writeFileSync(localVars, `DATABASE_URL="${stack.databaseUrl}"\n`, { mode: 0o600 });
  vars.push("--env-file", localVars);
  vars.push("--var", `LOCAL_NEON_ENDPOINT:${stack.neonEndpoint}`);
}

console.log(`API on http://localhost:${apiPort}, docs at http://localhost:${apiPort}/docs`);
// In a terminal, wrangler shares our process group, so Ctrl-C reaches it and workerd directly and its
// hotkeys keep working. Without one (a process manager, CI), it gets a group of its own, which a stop
// signals whole: wrangler, its wrapper and workerd alike.
const ownGroup = !process.stdin.isTTY;
const wranglerArgs = ["dev", "--port", apiPort, "--ip", "127.0.0.1", ...vars, ...process.argv.slice(2)];
const wrangler = spawnWrangler(wranglerArgs, { detached: ownGroup });
const wranglerExited = new Promise<void>((resolve) => wrangler.once("exit", () => resolve()));

// How long each part may take to stop politely before it is killed.
const STOP_GRACE_MS = 5_000;

function signalWrangler(signal: NodeJS.Signals): void {
  if (wrangler.exitCode !== null || wrangler.signalCode !== null || wrangler.pid === undefined) return;
  try {
    if (ownGroup) process.kill(-wrangler.pid, signal);
    else wrangler.kill(signal);
  } catch {
    // already gone
  }
}

const within = (work: Promise<unknown>, ms: number) =>
  Promise.race([work.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

// `npm run dev` puts a shell between npm and this script, and that shell does not pass a SIGTERM on:
// it dies and leaves us behind. Noticing that our parent is gone covers it, and any other launcher.
const parent = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid !== parent) void shutdown(0);
}, 250);

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  clearInterval(parentWatch);
  signalWrangler("SIGTERM");
  // Side by side, each bounded: wrangler is killed after the grace, and the local stack kills a
  // PostgreSQL that does not stop (and skips one already gone); the outer bound is a last resort.
  const [, stackStopped] = await Promise.all([
    within(wranglerExited, STOP_GRACE_MS).then((exited) => {
      if (!exited) signalWrangler("SIGKILL");
    }),
    within(
      stopStack().catch((error: Error) => console.error(`Stopping the local database: ${error.message}`)),
      STOP_GRACE_MS + 1_000,
    ),
  ]);
  if (!stackStopped) {
    killStack();
    console.error("The local database did not stop in time and was killed.");
  }
  process.exit(code);
}
function onSignal() {
  if (!stopping) return void shutdown(0);
  // A second signal: stop waiting for anything.
  signalWrangler("SIGKILL");
  killStack();
  process.exit(1);
}
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
process.on("SIGHUP", onSignal);
wrangler.on("exit", (code) => void shutdown(code ?? 0));

function devVar(name: string): string | undefined {
  const file = devVarsFile;
  if (!existsSync(file)) return undefined;
  const line = readFileSync(file, "utf8")
    .split("\n")
    .find((entry) => entry.startsWith(`${name}=`));
  return line?.slice(name.length + 1).replace(/^"(.*)"$/, "$1") || undefined;
}

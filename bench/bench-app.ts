import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generatedSecrets } from "../scripts/dev-secrets.ts";
import { freePort } from "../scripts/local-db/free-port.ts";
import { startLocalStack } from "../scripts/local-db/index.ts";
import { migrateDatabase } from "../scripts/migrate.ts";
import { type RunningWorker, startProductionWorker } from "./production-worker.ts";

const DATABASE = "cloud_notes_bench";

/** The production bundle in workerd against a fresh, migrated embedded PostgreSQL. */
export async function startBenchApp(
  options: { inspectorPort?: number; minify?: boolean; settings?: Record<string, string> } = {},
) {
  const workDir = mkdtempSync(join(tmpdir(), "cloud-notes-bench-"));
  chmodSync(workDir, 0o755); // reachable by the unprivileged postgres user when we are root
  const stack = await startLocalStack({
    dataDir: join(workDir, "postgres"),
    postgresPort: await freePort(),
    endpointPort: await freePort(),
    persistent: false,
    database: DATABASE,
  });
  await migrateDatabase(stack.databaseUrl);
  const bindings = {
    ...generatedSecrets(),
    DATABASE_URL: stack.databaseUrl,
    LOCAL_NEON_ENDPOINT: stack.neonEndpoint,
    ...options.settings,
  };
  const start = (sourceDir?: string, entry?: string) =>
    startProductionWorker({
      liftRateLimits: true,
      bindings,
      sourceDir,
      entry,
      inspectorPort: options.inspectorPort,
      minify: options.minify,
    });
  const worker = await start();
  const others: RunningWorker[] = [];
  return {
    url: worker.url,
    scriptPath: worker.scriptPath,
    pid: worker.pid,
    /** The same API built from another checkout (an older commit) or entry (a bench variant), on the same database. */
    startOther: async (build: { sourceDir?: string; entry?: string }) => {
      const other = await start(build.sourceDir, build.entry);
      others.push(other);
      return other;
    },
    /** For benchmarks that measure the database itself (sizes), with a client of their own. */
    databaseUrl: stack.databaseUrl,
    /** host:port of the local Neon-compatible endpoint, for bench workers of their own. */
    neonEndpoint: stack.neonEndpoint,
    /** Database round trips so far (HTTP queries and WebSocket sessions), from the local endpoint. */
    roundTrips: async () => {
      const stats = (await (await fetch(`http://${stack.neonEndpoint}/stats?database=${DATABASE}`)).json()) as {
        httpRequests: number;
        webSocketSessions: number;
      };
      return stats.httpRequests + stats.webSocketSessions;
    },
    stop: async () => {
      for (const other of others) await other.stop();
      await worker.stop();
      await stack.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Registers a user and signs in: the bearer header for everything after. */
export async function signedInUser(url: string, email = "bench@example.com") {
  const password = "correct horse battery staple";
  await fetch(`${url}/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const signIn = () =>
    fetch(`${url}/v1/auth/token`, {
      method: "POST",
      body: new URLSearchParams({ grant_type: "password", username: email, password }),
    });
  const tokens = (await (await signIn()).json()) as { access_token: string };
  const authorization = `Bearer ${tokens.access_token}`;
  /** A JSON request as this user. */
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { authorization, "content-type": "application/json", ...init.headers },
    });
  return { signIn, authorization, call };
}

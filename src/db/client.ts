import { Client, neon, neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzlePool } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import type { BackgroundWork } from "../lib/background-work";
import { useLocalNeonEndpoint } from "./local-neon";
import * as schema from "./schema";
import { DatabaseUnavailable, isDatabaseUnavailable, withDeadline } from "./unavailable";

// Every database round trip is bounded by DATABASE_TIMEOUT_MS (docs/database.md "When the database is down or
// slow"): a stopped or paused server must cost a request a few seconds and a 503, not a hang. 5 s by
// default: a statement takes milliseconds and a suspended Neon compute wakes in under a second, yet it
// is far below the point where clients and proxies give up on their own. Each HTTP call gets its own
// AbortSignal (in fetchFunction; a signal in fetchOptions would run from the client's creation), which
// also bounds reading the answer; a WebSocket transaction gets one deadline from connect to commit,
// and a server still alive cancels its statements and an abandoned transaction itself.

/** Our fetch option naming a client's time limit; fetch itself ignores unknown members. */
interface DeadlineInit extends RequestInit {
  deadlineMs?: number;
}

neonConfig.fetchFunction = async (url: string, init: DeadlineInit) => {
  const { deadlineMs, ...request } = init;
  let response: Response;
  try {
    response = await fetch(url, { ...request, signal: deadlineMs ? AbortSignal.timeout(deadlineMs) : null });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    throw new DatabaseUnavailable(timedOut ? "timeout" : "unreachable", { cause: error });
  }
  // Neon's proxy answers 5xx when it cannot reach or run the compute; statement errors are 400s.
  if (response.status >= 500) throw new DatabaseUnavailable("server error");
  return response;
};

/**
 * The request's database: Neon's SQL-over-HTTP driver, one HTTP round trip per statement or per
 * `db.batch([...])` (which runs as one transaction), pooled on Neon's side. Creating it does no I/O.
 *
 * One per settings object, shared by every request of the isolate: drizzle derives its relational
 * metadata from the whole schema when it is created, which cost more CPU per request than running the
 * statement. Sharing is safe: the handle holds settings and functions only, and each query's fetch
 * belongs to the request that runs it.
 */
export function createDatabase(config: Config): Database {
  let database = databases.get(config);
  if (!database) {
    database = connect(config);
    databases.set(config, database);
  }
  return database;
}

const databases = new WeakMap<Config, Database>();

function connect(config: Config) {
  if (config.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(config.LOCAL_NEON_ENDPOINT);
  const client = neon(config.DATABASE_URL, { fetchOptions: { deadlineMs: config.DATABASE_TIMEOUT_MS } });
  return drizzleHttp({ client, schema });
}

export type Database = ReturnType<typeof connect>;
type PoolDatabase = ReturnType<typeof drizzlePool<typeof schema>>;
export type Transaction = Parameters<Parameters<PoolDatabase["transaction"]>[0]>[0];

/**
 * For the rare request that needs an interactive transaction (read, decide, write). Workers cannot
 * share a socket between requests, so the WebSocket connection lives and dies inside this request.
 */
export async function inTransaction<T>(
  config: Config,
  executionCtx: BackgroundWork,
  work: (tx: Transaction) => Promise<T>,
  options: { deadlineMs?: number } = {},
): Promise<T> {
  if (config.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(config.LOCAL_NEON_ENDPOINT);
  const timeoutMs = config.DATABASE_TIMEOUT_MS;
  const client = new Client({ connectionString: config.DATABASE_URL });
  // A connection that breaks (refused, dropped, the server shutting down) is reported here; the statement
  // in flight, or the next one, then fails with a generic "not queryable", and drizzle's rollback with it.
  // The transaction's failure is then the connection's. Listening also keeps the event from going unhandled.
  let lost: Error | undefined;
  let closed = false;
  client.on("error", (error: Error) => {
    lost ??= error;
  });
  client.once("end", () => {
    closed = true;
  });
  const transaction = async () => {
    await client.connect();
    return drizzlePool({ client, schema }).transaction(async (tx) => {
      await tx.execute(sql`select set_config('statement_timeout', ${String(timeoutMs)}, true),
        set_config('idle_in_transaction_session_timeout', ${String(timeoutMs)}, true)`);
      return work(tx);
    });
  };
  try {
    return await withDeadline(transaction(), options.deadlineMs ?? timeoutMs);
  } catch (error) {
    if (lost && !isDatabaseUnavailable(error)) throw new DatabaseUnavailable("unreachable", { cause: lost });
    throw error;
  } finally {
    // Ending a session in flight drops its socket, and the server rolls back. A stalled socket never
    // finishes a polite end, and one already closed never reports it: bounded, and skipped when closed.
    if (!closed) executionCtx.waitUntil(withDeadline(client.end(), timeoutMs).catch(() => undefined));
  }
}

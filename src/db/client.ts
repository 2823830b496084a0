import { neon, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleHttp } from "drizzle-orm/neon-http";
import { drizzle as drizzlePool } from "drizzle-orm/neon-serverless";
import type { Config } from "../env";
import type { BackgroundWork } from "../lib/background-work";
import { logError } from "../lib/log";
import { useLocalNeonEndpoint } from "./local-neon";
import * as schema from "./schema";

/**
 * The request's database: Neon's SQL-over-HTTP driver, one HTTP round trip per statement or per
 * `db.batch([...])` (which runs as one transaction), pooled on Neon's side. Creating it does no I/O.
 */
export function createDatabase(config: Config) {
  if (config.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(config.LOCAL_NEON_ENDPOINT);
  return drizzleHttp({ client: neon(config.DATABASE_URL), schema });
}

export type Database = ReturnType<typeof createDatabase>;
type PoolDatabase = ReturnType<typeof drizzlePool<typeof schema>>;
export type Transaction = Parameters<Parameters<PoolDatabase["transaction"]>[0]>[0];

/**
 * For the rare request that needs an interactive transaction (read, decide, write). Workers cannot
 * share a socket between requests, so the WebSocket pool lives and dies inside this request.
 */
export async function inTransaction<T>(
  config: Config,
  executionCtx: BackgroundWork,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  if (config.LOCAL_NEON_ENDPOINT) useLocalNeonEndpoint(config.LOCAL_NEON_ENDPOINT);
  const pool = new Pool({ connectionString: config.DATABASE_URL });
  pool.on("error", (error: Error) => logError("database pool error", error));
  try {
    return await drizzlePool({ client: pool, schema }).transaction(work);
  } finally {
    executionCtx.waitUntil(pool.end());
  }
}

import pg from "pg";
import { startNeonEndpoint } from "./neon-endpoint.ts";
import { startLocalPostgres } from "./postgres.ts";

export interface LocalStackOptions {
  dataDir: string;
  postgresPort: number;
  endpointPort: number;
  persistent: boolean;
  database: string;
}

export interface LocalStack {
  /** The app database, migrated by the caller. */
  databaseUrl: string;
  adminUrl: string;
  urlFor(database: string): string;
  /** host:port for the worker's LOCAL_NEON_ENDPOINT. */
  neonEndpoint: string;
  stop(): Promise<void>;
  /** Kills PostgreSQL at once, for a caller that cannot wait. */
  kill(): void;
}

/** Embedded PostgreSQL plus the Neon-compatible endpoint in front of it: what `npm run dev` and the tests share. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const postgres = await startLocalPostgres({
    dataDir: options.dataDir,
    port: options.postgresPort,
    persistent: options.persistent,
  });
  try {
    const endpoint = await startNeonEndpoint(options.endpointPort);
    await createDatabaseIfMissing(postgres.adminUrl, options.database);
    return {
      databaseUrl: postgres.urlFor(options.database),
      adminUrl: postgres.adminUrl,
      urlFor: postgres.urlFor,
      neonEndpoint: endpoint.address,
      // Side by side: neither waits on the other, so each is bounded by its own grace alone.
      stop: async () => {
        await Promise.all([endpoint.stop(), postgres.stop()]);
      },
      kill: postgres.kill,
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (!rowCount) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

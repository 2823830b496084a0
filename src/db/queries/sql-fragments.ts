import { type SQL, sql } from "drizzle-orm";

/** A timestamp as the API shows it: ISO 8601, UTC, milliseconds. */
export const isoTimestamp = (column: SQL) =>
  sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

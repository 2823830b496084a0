import { type SQL, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

// Drizzle renders a statement by walking every fragment nested in it, and for a statement built of our
// shared fragments (the readable notes, a note's select list) the walk was the largest item of our own
// code in a CPU profile of GET /v1/notes/{id} (48 us against 9 us rendered once, in node). A fragment without parameters renders to the same text every time, so it is
// rendered once, when first built, and the statement carries its text as one chunk.
const dialect = new PgDialect();

/** `fragment` rendered once to its text; it must take no parameters (they could not be inlined). */
export function prerendered<T>(fragment: SQL<T>): SQL<T> {
  const { sql: text, params } = dialect.sqlToQuery(fragment);
  if (params.length > 0) throw new Error(`a prerendered fragment takes no parameters: ${text}`);
  return sql.raw(text) as SQL<T>;
}

/** A timestamp as the API shows it: ISO 8601, UTC, milliseconds. */
export const isoTimestamp = (column: SQL) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A sort timestamp for a keyset cursor: PostgreSQL's microseconds, so rows of one millisecond still order. */
export const exactTime = (column: SQL) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** A row that a left join may not have found: every field may be null. */
export type Nullable<T> = { [K in keyof T]: T[K] | null };

/** `and n.version in (…)`: the If-Match versions, any of which may match; nothing without If-Match. */
export const ifVersionIn = (versions: number[] | undefined) =>
  versions ? sql`and n.version in ${intList(versions)}` : sql``;

/** What a projection map selects: each field's SQL type. */
export type Selected<Fields extends Record<string, SQL>> = {
  [K in keyof Fields]: Fields[K] extends SQL<infer T> ? T : never;
};

const selectLists = new WeakMap<Record<string, SQL>, SQL>();

/**
 * A select list from a projection map, `expression as "field"`, so the SQL and its result type share one
 * source. A map without parameters (the module-level ones) has its list rendered once; one with
 * parameters keeps them as parameters.
 */
export function selectList(fields: Record<string, SQL>): SQL {
  let list = selectLists.get(fields);
  if (!list) {
    const joined = sql.join(
      Object.entries(fields).map(([name, expression]) => sql`${expression} as ${sql.identifier(name)}`),
      sql`, `,
    );
    const { sql: text, params } = dialect.sqlToQuery(joined);
    list = params.length > 0 ? joined : sql.raw(text);
    selectLists.set(fields, list);
  }
  return list;
}

/** `json_build_object` from a projection map: its keys are our own field names. */
export const jsonObject = (fields: Record<string, SQL>) =>
  sql`json_build_object(${sql.join(
    Object.entries(fields).map(([name, expression]) => sql`${sql.raw(`'${name}'`)}, ${expression}`),
    sql`, `,
  )})`;

// Arrays travel as one JSON parameter: drizzle would spread a JS array into a parameter list.

/** A subquery yielding each value, for `x in ${...}`. */
export const textList = (values: string[]) => sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

export const intList = (values: number[]) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb)::int)`;

/** A Postgres text[] value. */
export const textArray = (values: string[]) => sql`array${textList(values)}::text[]`;

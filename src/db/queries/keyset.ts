import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { asCaller, type Caller } from "./caller";
import { done, type Outcome, unauthenticated } from "./outcome";
import { type Selected, selectList } from "./sql-fragments";

/**
 * One keyset page of a listing: rows in `order` (every key descending, the last one unique, the id)
 * after the cursor's position `after` (its values for the same keys), `limit` of them plus one to tell
 * whether another page follows. `head`: scalar columns about the listing itself (whether the note whose
 * revisions are listed exists), read in the same statement. Items are told from the page's empty row
 * (the caller's, when nothing matched) by a non-null `id`.
 */
export interface PageQuery<Head extends Record<string, SQL>> {
  with?: SQL;
  head?: Head;
  /** Each item's select list, its cursor columns included. */
  columns: SQL;
  /**
   * The rows' source, `from` clause and joins, within the caller's `me`. Or the halves of a union
   * (parenthesised selects with the same columns, each aliased `n`): each is filtered, ordered and
   * limited on its own, so each walks its own index and a page reads at most `limit` + 1 rows of each
   * however many match; the page is taken from what they return.
   */
  from: SQL | SQL[];
  where?: SQL[];
  order: SQL[];
  after?: SQL[];
  limit: number;
}

export async function selectPage<Item extends { id: unknown }, Head extends Record<string, SQL> = Record<never, SQL>>(
  db: Database,
  caller: Caller,
  query: PageQuery<Head>,
): Promise<Outcome<{ items: Item[]; head: Selected<Head> }>> {
  const conditions = [...(query.where ?? [])];
  if (query.after) conditions.push(sql`(${sql.join(query.order, sql`, `)}) < (${sql.join(query.after, sql`, `)})`);
  const headNames = Object.keys(query.head ?? {});
  const where = conditions.length > 0 ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const ordered = sql`order by ${sql.join(
    query.order.map((key) => sql`${key} desc`),
    sql`, `,
  )}
        limit ${query.limit + 1}`;
  const source = Array.isArray(query.from)
    ? sql`(${sql.join(
        query.from.map((half) => sql`(select * from ${half} n ${where} ${ordered})`),
        sql` union all `,
      )}) n`
    : sql`${query.from} ${where}`;
  const { rows } = await db.execute<Record<string, unknown>>(
    asCaller(caller, {
      with: query.with,
      select: headNames.length > 0 ? sql`${selectList(query.head ?? {})}, page.*` : sql`page.*`,
      from: sql`left join lateral (
        select ${query.columns}
        from ${source}
        ${ordered}
      ) as page on true`,
    }),
  );
  const first = rows[0];
  if (!first?.authed) return unauthenticated;
  const head = Object.fromEntries(headNames.map((name) => [name, first[name]])) as Selected<Head>;
  const items = rows
    .filter((row) => row.id !== null)
    .map((row) => {
      const { authed: _, ...item } = row;
      for (const name of headNames) delete item[name];
      return item as Item;
    });
  return done({ items, head });
}

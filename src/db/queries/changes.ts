import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { CHANGE_RETENTION, changes, notebookMembers } from "../schema";
import { asCaller, type SignedInCaller, unlimitedReach, withinReach } from "./caller";
import { done, type Outcome, unauthenticated } from "./outcome";
import { isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// The caller's change feed: the rows the triggers of migrations/0010-0011 wrote to the scopes the caller
// reads now, their own and every notebook they belong to (from when they joined: a new member learns
// the notebook's notes by listing them, never its history before), oldest first. Fan-out happens here, at read
// time: a write to a notebook of 100 members is one row, and a member's page is one short index range
// per scope (each scope yields at most a page, then the pages merge), however many notes there are.

/** Where a reader of the feed stands: after the row (tx, seq). `at` is when that was, for retention. */
export interface FeedPosition {
  tx: number;
  seq: number;
  at: string;
}

/** A change as the feed answers it, from a row `c`: what changed and how, never what it now says. */
export const changeFields = {
  kind: sql<(typeof changes.$inferSelect)["kind"]>`c.kind`,
  id: sql<string>`c.entity_id`,
  noteId: sql<string | null>`c.note_id`,
  notebookId: sql<string | null>`c.notebook_id`,
  action: sql<(typeof changes.$inferSelect)["action"]>`c.action`,
  version: sql<number | null>`c.version`,
  at: isoTimestamp(sql`c.at`),
};
export type ChangeRecord = Selected<typeof changeFields>;
type Positioned = ChangeRecord & { tx: number; seq: number };

const columns = sql`${selectList(changeFields)}, c.tx::float8 as tx, c.seq::float8 as seq`;

/**
 * Transactions below this id have all ended: their rows are final. Rows of later ones wait for the next
 * read, so a transaction that started earlier but commits later can never put a row behind a cursor.
 */
export const feedHorizon = sql`(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint`;

/** Where the feed stands now: what a client takes before it lists everything, and syncs from afterwards. */
export async function feedStart(db: Database, caller: SignedInCaller): Promise<Outcome<FeedPosition>> {
  const { rows } = await db.execute<{ authed: number; tx: number; at: string }>(
    asCaller(caller, { select: sql`${feedHorizon}::float8 - 1 as tx, ${isoTimestamp(sql`now()`)} as at` }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return done({ tx: row.tx, seq: Number.MAX_SAFE_INTEGER, at: row.at });
}

/** Up to `limit` + 1 changes after `after` in the scopes the caller reads now, oldest first. */
export async function readChanges(
  db: Database,
  caller: SignedInCaller,
  after: FeedPosition,
  limit: number,
): Promise<Outcome<Positioned[]>> {
  const following = sql`(c.tx, c.seq) > (${after.tx}::bigint, ${after.seq}::bigint) and c.tx < (select tx from horizon)`;
  const page = (scope: SQL) => sql`(
    select ${columns} from ${changes} c where ${scope} and ${following} order by c.tx, c.seq limit ${limit + 1}
  )`;
  const { rows } = await db.execute<{ authed: number } & Nullable<Positioned>>(
    asCaller(caller, {
      with: sql`horizon as (select ${feedHorizon} as tx)`,
      select: sql`page.*`,
      from: sql`left join lateral (
        select * from (
          ${page(sql`c.user_id = (select id from me) and ${unlimitedReach}`)}
          union all
          select f.* from ${notebookMembers} m
          cross join lateral ${page(sql`c.notebook_id = m.notebook_id and c.tx >= m.joined_tx`)} f
          where m.user_id = (select id from me) and ${withinReach(sql`m.notebook_id`)}
        ) as merged
        order by tx, seq
        limit ${limit + 1}
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...change }) => change as Positioned));
}

const PRUNE_BATCH = 5000;

/**
 * For the sweep: forgets changes past retention (a day after cursors that old answer 410, so no cursor
 * still honoured can miss one), and sooner an update that a later change of the same item in the same
 * scope supersedes (a reader who sees the later one fetches the item anyway). In short batches: every
 * reader waits for the oldest running transaction, so none may run long. Answers how many went.
 */
export async function pruneChanges(db: Database): Promise<number> {
  const expired = sql`select seq from ${changes} where at < now() - make_interval(days => ${CHANGE_RETENTION.days + 1})
    order by at limit ${PRUNE_BATCH}`;
  const superseded = sql`select c.seq from ${changes} c
    where c.action = 'updated' and c.at < now() - make_interval(days => ${CHANGE_RETENTION.supersededDays})
      and exists (
        select 1 from ${changes} later
        where later.entity_id = c.entity_id and (later.tx, later.seq) > (c.tx, c.seq)
          and later.notebook_id is not distinct from c.notebook_id and later.user_id is not distinct from c.user_id
      )
    order by c.at limit ${PRUNE_BATCH}`;
  let pruned = 0;
  for (const batch of [expired, superseded]) {
    for (let round = 0; round < 20; round++) {
      const { rowCount } = await db.execute(sql`delete from ${changes} where seq in (${batch})`);
      pruned += rowCount ?? 0;
      if ((rowCount ?? 0) < PRUNE_BATCH) break;
    }
  }
  return pruned;
}

import { sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { Database } from "../client";
import { attachments, notes, TRASH_RETENTION_DAYS } from "../schema";
import { accessDenied, canEdit, noteAccessForWrite, restorableNotes } from "./access";
import { type NoteRecord, noteFields } from "./notes";
import { asCaller, done, type Outcome, stale, unauthenticated } from "./outcome";
import { exactTime, ifVersionIn, type Nullable, selectList } from "./sql-fragments";

// The trash: DELETE /v1/notes/{id} moves a note here (an editing role, like any change); from here it
// is restored to where it was, or purged, by whoever still has an editing role on it. Its notebook
// decides: if the caller lost that role, the notebook's editors restore it, not them. Purging deletes
// the row, its attachments with it, and the outbox trigger queues their bytes; the sweep purges what
// waited TRASH_RETENTION_DAYS. Trashed bytes still count against their payer's quota until then.

type Move = "trash" | "restore" | "purge";

const CHANGE = {
  trash: sql`update ${notes} n set trashed_at = now(), version = n.version + 1`,
  restore: sql`update ${notes} n set trashed_at = null, version = n.version + 1`,
  purge: sql`delete from ${notes} n`,
} satisfies Record<Move, unknown>;

/**
 * Moves a note into the trash, back out, or out of existence, in one statement: an editing role on it,
 * If-Match (`versions`) honoured. Answers whether it was published (its cached public copies go) and,
 * for a purge, its attachments' object keys, to delete right away (the outbox has them too).
 */
export async function moveNote(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  move: Move,
  versions: number[] | undefined,
): Promise<Outcome<{ wasPublic: boolean; objectKeys: string[] }>> {
  const { rows } = await db.execute<{
    authed: number;
    currentVersion: number | null;
    callerRole: "viewer" | "editor" | "owner" | null;
    moved: number;
    wasPublic: boolean;
    objectKeys: string[];
  }>(
    asCaller(auth, {
      with: sql`${noteAccessForWrite(noteId, { inTrash: move !== "trash" })},
        moved as (
          ${CHANGE[move]} ${move === "purge" ? sql`using access` : sql`from access`}
          where n.id = access.id and ${canEdit(sql`access.role`)} ${ifVersionIn(versions)}
          returning n.id
        )`,
      select: sql`(select version from access) as "currentVersion", (select role from access) as "callerRole",
        (select count(*) from moved)::int as moved,
        coalesce((select visibility = 'public' from access), false) as "wasPublic",
        ${
          move === "purge"
            ? sql`array(select object_key from ${attachments} where note_id in (select id from moved))`
            : sql`array[]::text[]`
        } as "objectKeys"`,
    }),
  );
  const row = rows[0];
  const denied = accessDenied(row, "editor", "note");
  if (denied || !row) return denied ?? unauthenticated;
  // Only that the version differs is known here; the current ETag comes with the next read.
  return row.moved ? done({ wasPublic: row.wasPublic, objectKeys: row.objectKeys }) : stale(null);
}

export type TrashedNote = NoteRecord & { cursorTime: string };

/** One page (plus one row) of the caller's trash, most recently trashed first. */
export async function listTrash(
  db: Database,
  auth: AccessTokenSubject,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<TrashedNote[]>> {
  const position = after ? sql`where (n.trashed_at, n.id) < (${after.time}::timestamptz, ${after.id}::uuid)` : sql``;
  const { rows } = await db.execute<{ authed: number } & Nullable<TrashedNote>>(
    asCaller(auth, {
      select: sql`page.*`,
      from: sql`left join lateral (
        select ${selectList(noteFields)}, ${exactTime(sql`n.trashed_at`)} as "cursorTime"
        from ${restorableNotes} n ${position}
        order by n.trashed_at desc, n.id desc
        limit ${limit + 1}
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...note }) => note as TrashedNote));
}

/** For the sweep: purges notes trashed longer than TRASH_RETENTION_DAYS; the outbox trigger queues their bytes. */
export function purgeExpiredTrash(db: Database) {
  return db.execute(
    sql`delete from ${notes} where trashed_at < now() - make_interval(days => ${TRASH_RETENTION_DAYS})`,
  );
}

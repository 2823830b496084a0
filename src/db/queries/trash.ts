import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { attachments, notes, TRASH_RETENTION_DAYS } from "../schema";
import { noteAccessForWrite, restorableNotes } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { selectPage } from "./keyset";
import { type NoteRecord, noteColumns } from "./note-record";
import { done, type Outcome, publicNoteChanged, stale, unauthenticated } from "./outcome";
import { type AccessRow, type Action, accessColumns, denied, permits } from "./permissions";
import { exactTime, ifVersionIn } from "./sql-fragments";

// The trash: DELETE /v1/notes/{id} moves a note here (note.trash); from here it is restored to where it
// was (note.restore), or purged (note.purge), by whoever may on it now. Its notebook decides: if the
// caller lost their role, the notebook's editors restore it, not them. Purging deletes the row, its
// attachments with it, and the outbox trigger queues their bytes; the sweep purges what waited
// TRASH_RETENTION_DAYS. Trashed bytes still count against their payer's quota until then.

interface Move {
  action: Action;
  /** The statement, on the note row `n`, joined to `access`. */
  change: SQL;
  /** Where the note is before it: out of the trash, or in it. */
  inTrash: boolean;
}

const TRASH: Move = {
  action: "note.trash",
  change: sql`update ${notes} n set trashed_at = now(), version = n.version + 1 from access`,
  inTrash: false,
};
const RESTORE: Move = {
  action: "note.restore",
  change: sql`update ${notes} n set trashed_at = null, version = n.version + 1 from access`,
  inTrash: true,
};
const PURGE: Move = { action: "note.purge", change: sql`delete from ${notes} n using access`, inTrash: true };

/**
 * One move of the note, in one statement, If-Match (`versions`) honoured. Answers what follows: a
 * published note's cached copies go; a purge's attachments' bytes go (the outbox has them too).
 */
async function move(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  { action, change, inTrash }: Move,
  versions: number[] | undefined,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<AccessRow & { moved: number; wasPublic: boolean; objectKeys: string[] }>(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(noteId, { inTrash })},
        moved as (
          ${change} where n.id = access.id and ${permits(action, { role: sql`access.role`, self: sql`access.owner_id` })}
            ${ifVersionIn(versions)}
          returning n.id
        )`,
      select: sql`${accessColumns(action)}, (select count(*) from moved)::int as moved,
        coalesce((select visibility = 'public' from access), false) as "wasPublic",
        ${
          action === "note.purge"
            ? sql`array(select object_key from ${attachments} where note_id in (select id from moved))`
            : sql`array[]::text[]`
        } as "objectKeys"`,
    }),
  );
  const row = rows[0];
  const refusal = denied(action, row);
  if (refusal || !row) return refusal ?? unauthenticated;
  // Only that the version differs is known here; the current ETag comes with the next read.
  if (!row.moved) return stale(null);
  // A purge's attachment rows went with the note; a moved note keeps its attachments.
  // A published note leaves or re-enters public copies when trashed or restored; a trashed one is in none.
  const leavesOrEnters = row.wasPublic && action !== "note.purge";
  return done(undefined, { ...publicNoteChanged(noteId, leavesOrEnters), unreferencedObjects: row.objectKeys });
}

export const trashNote = (db: Database, caller: SignedInCaller, noteId: string, versions: number[] | undefined) =>
  move(db, caller, noteId, TRASH, versions);

export const restoreFromTrash = (
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  versions: number[] | undefined,
) => move(db, caller, noteId, RESTORE, versions);

export const purgeNote = (db: Database, caller: SignedInCaller, noteId: string, versions: number[] | undefined) =>
  move(db, caller, noteId, PURGE, versions);

export type TrashedNote = NoteRecord & { cursorTime: string };

/** One page (plus one row) of the caller's trash, most recently trashed first. */
export async function listTrash(
  db: Database,
  caller: SignedInCaller,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<TrashedNote[]>> {
  const page = await selectPage<TrashedNote>(db, caller, {
    columns: sql`${noteColumns}, ${exactTime(sql`n.trashed_at`)} as "cursorTime"`,
    from: sql`${restorableNotes} n`,
    order: [sql`n.trashed_at`, sql`n.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  return page.kind === "done" ? done(page.value.items) : page;
}

/** For the sweep: purges notes trashed longer than TRASH_RETENTION_DAYS; the outbox trigger queues their bytes. */
export function purgeExpiredTrash(db: Database) {
  return db.execute(
    sql`delete from ${notes} where trashed_at < now() - make_interval(days => ${TRASH_RETENTION_DAYS})`,
  );
}

import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { NOTE_REVISIONS, noteRevisions } from "../schema";
import { readableNotes } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { selectPage } from "./keyset";
import { changeNote, restoreVersion } from "./note-changes";
import type { NoteRecord } from "./note-record";
import { done, missing, type Outcome, unauthenticated } from "./outcome";
import { permits } from "./permissions";
import { exactTime, isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// A note's history: every change to its title, content or tags keeps the version it replaced, written
// by the changing statement itself (note-changes.ts: no extra round trip, nothing kept for a change that did not
// happen). Edits by one person within NOTE_REVISIONS.mergeWithinSeconds merge: the version they replace
// is theirs and fresh, so it is not kept, and a burst of saves costs one revision. The sweep keeps the
// newest NOTE_REVISIONS.kept per note.

/** A revision as the API answers it, from a row `r`. */
const revisionFields = {
  version: sql<number>`r.version`,
  title: sql<string>`r.title`,
  content: sql<string>`r.content`,
  tags: sql<string[]>`r.tags`,
  editedBy: sql<string | null>`r.edited_by`,
  createdAt: isoTimestamp(sql`r.created_at`),
};
export type RevisionRecord = Selected<typeof revisionFields>;
export type ListedRevision = RevisionRecord & { cursorTime: string; id: string };

/** The note `noteId` as CTE `note` (id) while the caller may read its history. */
const noteOf = (noteId: string) =>
  sql`note as (select id from ${readableNotes} n where n.id = ${noteId} and ${permits("revision.read", { role: sql`n.role` })})`;

/** One page (plus one row) of a readable note's revisions, newest first. */
export async function listRevisions(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<ListedRevision[]>> {
  const page = await selectPage<ListedRevision, { noteFound: SQL<number> }>(db, caller, {
    with: noteOf(noteId),
    head: { noteFound: sql<number>`(select count(*) from note)::int` },
    columns: sql`${selectList(revisionFields)}, r.id, ${exactTime(sql`r.created_at`)} as "cursorTime"`,
    from: sql`${noteRevisions} r`,
    where: [sql`r.note_id = (select id from note)`],
    order: [sql`r.created_at`, sql`r.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  if (page.kind !== "done") return page;
  return page.value.head.noteFound ? done(page.value.items) : missing("note");
}

export async function findRevision(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  version: number,
): Promise<Outcome<RevisionRecord>> {
  const { rows } = await db.execute<{ authed: number; noteFound: number } & Nullable<RevisionRecord>>(
    asCaller(caller, {
      with: noteOf(noteId),
      select: sql`(select count(*) from note)::int as "noteFound", ${selectList(revisionFields)}`,
      from: sql`left join ${noteRevisions} r on r.note_id = (select id from note) and r.version = ${version}`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.noteFound) return missing("note");
  const { authed: _, noteFound: __, ...revision } = row;
  return revision.version === null ? missing("revision") : done(revision as RevisionRecord);
}

/** Makes the kept version `version` of the note current again, as a new version (revision.restore). */
export function restoreRevision(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  version: number,
  versions: number[] | undefined,
): Promise<Outcome<NoteRecord, "over-quota">> {
  return changeNote(db, caller, noteId, [restoreVersion(version)], versions);
}

/** For the sweep: keeps the newest NOTE_REVISIONS.kept revisions of each note. */
export function pruneRevisions(db: Database) {
  return db.execute(sql`
    with crowded as (
      select note_id from ${noteRevisions} group by note_id having count(*) > ${NOTE_REVISIONS.kept}
    )
    delete from ${noteRevisions} r using (
      select id, row_number() over (partition by note_id order by version desc) as newer
      from ${noteRevisions} where note_id in (select note_id from crowded)
    ) ranked
    where r.id = ranked.id and ranked.newer > ${NOTE_REVISIONS.kept}`);
}

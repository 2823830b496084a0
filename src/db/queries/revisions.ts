import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { NOTE_REVISIONS, noteRevisions } from "../schema";
import { readableNoteAccess } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { selectPage } from "./keyset";
import { changeNote, restoreVersion } from "./note-changes";
import type { NoteRecord } from "./note-record";
import { done, missing, type Outcome, unauthenticated } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied, type Role } from "./permissions";
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

/** One page (plus one row) of a readable note's revisions, newest first. */
export async function listRevisions(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<ListedRevision[]>> {
  const page = await selectPage<ListedRevision, { callerRole: SQL<Role | null>; allowed: SQL<boolean> }>(db, caller, {
    with: readableNoteAccess(noteId),
    head: { callerRole: sql<Role | null>`(select role from access)`, allowed: accessAllows("revision.read") },
    columns: sql`${selectList(revisionFields)}, r.id, ${exactTime(sql`r.created_at`)} as "cursorTime"`,
    from: sql`${noteRevisions} r`,
    where: [sql`r.note_id = (select id from access)`, accessAllows("revision.read")],
    order: [sql`r.created_at`, sql`r.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  if (page.kind !== "done") return page;
  return denied("revision.read", { authed: 1, ...page.value.head }) ?? done(page.value.items);
}

export async function findRevision(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  version: number,
): Promise<Outcome<RevisionRecord>> {
  const { rows } = await db.execute<AccessRow & Nullable<RevisionRecord>>(
    asCaller(caller, {
      with: readableNoteAccess(noteId),
      select: sql`${accessColumns("revision.read")}, ${selectList(revisionFields)}`,
      from: sql`left join ${noteRevisions} r on r.note_id = (select id from access) and r.version = ${version}
        and ${accessAllows("revision.read")}`,
    }),
  );
  const row = rows[0];
  const refusal = denied("revision.read", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  const { authed: _, callerRole: __, allowed: ___, ...revision } = row;
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

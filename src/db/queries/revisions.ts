import { sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { Database } from "../client";
import { NOTE_REVISIONS, noteRevisions } from "../schema";
import { readableNotes } from "./access";
import { asCaller, done, missing, type Outcome, unauthenticated } from "./outcome";
import { exactTime, isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// A note's history: every change to its title, content or tags keeps the version it replaced, written
// by the changing statement itself (no extra round trip, nothing kept for a change that did not
// happen). Edits by one person within NOTE_REVISIONS.mergeWithinSeconds merge: the version they replace
// is theirs and fresh, so it is not kept, and a burst of saves costs one revision. The sweep keeps the
// newest NOTE_REVISIONS.kept per note.

/**
 * CTE `revised`, for a statement whose CTEs `access` (noteAccessForWrite: the version being replaced,
 * read under the lock) and `updated` (the change, empty when it did not happen) come before it. Who
 * wrote the text and when are the note's edited_by and content_updated_at, which only changes of the
 * text move: a pin, a move or a new attachment by someone else neither hides nor freshens a version.
 * `merge` false (a restore) keeps the replaced version whoever wrote it and when: undoing a restore
 * must stay possible.
 */
export const keepReplacedVersion = ({ merge }: { merge: boolean }) => sql`revised as (
  insert into ${noteRevisions} (note_id, version, title, content, tags, edited_by, created_at)
  select a.id, a.version, a.title, a.content, a.tags, coalesce(a.edited_by, a.owner_id), a.content_updated_at
  from access a
  where exists (select 1 from updated)
    ${
      merge
        ? sql`and not (
            coalesce(a.edited_by, a.owner_id) = (select id from me)
            and a.content_updated_at > now() - make_interval(secs => ${NOTE_REVISIONS.mergeWithinSeconds})
          )`
        : sql``
    }
  on conflict (note_id, version) do nothing
)`;

/** CTE `revision` (title, content, tags): the note's kept version `version`, for a restore. */
export const revisionToRestore = (version: number) => sql`revision as (
  select title, content, tags from ${noteRevisions}
  where note_id = (select id from access) and version = ${version}
)`;

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
  auth: AccessTokenSubject,
  noteId: string,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<ListedRevision[]>> {
  const position = after ? sql`and (r.created_at, r.id) < (${after.time}::timestamptz, ${after.id}::uuid)` : sql``;
  const { rows } = await db.execute<{ authed: number; noteFound: number } & Nullable<ListedRevision>>(
    asCaller(auth, {
      with: sql`note as (select id from ${readableNotes} n where n.id = ${noteId})`,
      select: sql`(select count(*) from note)::int as "noteFound", page.*`,
      from: sql`left join lateral (
        select ${selectList(revisionFields)}, r.id, ${exactTime(sql`r.created_at`)} as "cursorTime"
        from ${noteRevisions} r where r.note_id = (select id from note) ${position}
        order by r.created_at desc, r.id desc
        limit ${limit + 1}
      ) as page on true`,
    }),
  );
  const first = rows[0];
  if (!first?.authed) return unauthenticated;
  if (!first.noteFound) return missing("note");
  return done(
    rows.filter((row) => row.id !== null).map(({ authed: _, noteFound: __, ...rest }) => rest as ListedRevision),
  );
}

export async function findRevision(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  version: number,
): Promise<Outcome<RevisionRecord>> {
  const { rows } = await db.execute<{ authed: number; noteFound: number } & Nullable<RevisionRecord>>(
    asCaller(auth, {
      with: sql`note as (select id from ${readableNotes} n where n.id = ${noteId})`,
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

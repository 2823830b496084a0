import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { Database } from "../client";
import { attachments, type NOTE_SORTS, notes, type VISIBILITIES } from "../schema";
import { asCaller, done, missing, type Outcome, stale, unauthenticated } from "./outcome";
import { intList, isoTimestamp, type Selected, selectList, textArray } from "./sql-fragments";

// Every statement here is the request's only round trip: it checks the session (`me`), the owner,
// and for writes the If-Match version, and answers enough to tell the outcomes apart.

const exactTime = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The API's note, straight from SQL, from a row aliased `n`: one expression per field of the answer. */
const noteFields = {
  id: sql<string>`n.id`,
  title: sql<string>`n.title`,
  content: sql<string>`n.content`,
  tags: sql<string[]>`n.tags`,
  pinned: sql<boolean>`n.pinned`,
  archived: sql<boolean>`n.archived`,
  visibility: sql<(typeof VISIBILITIES)[number]>`n.visibility`,
  notebookId: sql<string | null>`n.notebook_id`,
  ownerId: sql<string>`n.owner_id`,
  version: sql<number>`n.version`,
  createdAt: isoTimestamp(sql`n.created_at`),
  updatedAt: isoTimestamp(sql`n.updated_at`),
  attachmentCount: sql<number>`n.attachment_count`,
};
const noteColumns = selectList(noteFields);

/** A note as the API answers it; the route schema's type must accept it (checked where handlers answer). */
export type NoteRecord = Selected<typeof noteFields>;
type Note = NoteRecord;

/** What a change may set; the route schema decides what a client may send. */
export type NotePatch = Partial<
  Pick<NoteRecord, "title" | "content" | "tags" | "pinned" | "archived" | "visibility">
> & {
  notebookId?: null;
};

export interface NoteFilters {
  limit: number;
  sort: (typeof NOTE_SORTS)[number];
  q?: string;
  tag: string[];
  pinned?: boolean;
  archived: boolean;
  notebookId?: string;
}

type Found = { authed: number; currentVersion: number | null } & { [K in keyof Note]: Note[K] | null };

/** A write's or read's row as an outcome: no session, no such note (or not yours), a stale If-Match, or the note. */
function toOutcome(row: Found | undefined): Outcome<Note> {
  if (!row?.authed) return unauthenticated;
  const { authed: _, currentVersion, ...note } = row;
  if (currentVersion === null) return missing();
  if (note.id === null) return stale(currentVersion);
  return done(note as Note);
}

const ifVersionIn = (versions: number[] | undefined) => (versions ? sql`and n.version in ${intList(versions)}` : sql``);

export async function insertNote(
  db: Database,
  auth: AccessTokenSubject,
  values: { title: string; content: string; tags: string[]; pinned: boolean },
): Promise<Outcome<Note>> {
  const { rows } = await db.execute<Found>(
    asCaller(auth, {
      with: sql`inserted as (
        insert into ${notes} (owner_id, title, content, tags, pinned)
        select id, ${values.title}, ${values.content}, ${textArray(values.tags)}, ${values.pinned} from me
        returning *
      )`,
      select: sql`0 as "currentVersion", ${noteColumns}`,
      from: sql`left join inserted n on true`,
    }),
  );
  return toOutcome(rows[0]);
}

export async function findNote(db: Database, auth: AccessTokenSubject, noteId: string): Promise<Outcome<Note>> {
  const { rows } = await db.execute<Found>(
    asCaller(auth, {
      select: sql`n.version as "currentVersion", ${noteColumns}`,
      from: sql`left join ${notes} n on n.id = ${noteId} and n.owner_id = (select id from me)`,
    }),
  );
  return toOutcome(rows[0]);
}

/** `versions`: the If-Match versions, any of which may match; undefined when there is no If-Match. */
export async function updateNote(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  patch: NotePatch,
  versions: number[] | undefined,
): Promise<Outcome<Note>> {
  const changes: SQL[] = [];
  if (patch.title !== undefined) changes.push(sql`title = ${patch.title}`);
  if (patch.content !== undefined) changes.push(sql`content = ${patch.content}`);
  if (patch.tags !== undefined) changes.push(sql`tags = ${textArray(patch.tags)}`);
  if (patch.pinned !== undefined) changes.push(sql`pinned = ${patch.pinned}`);
  if (patch.archived !== undefined) changes.push(sql`archived = ${patch.archived}`);
  if (patch.notebookId !== undefined) changes.push(sql`notebook_id = null`);
  if (patch.visibility !== undefined) changes.push(sql`visibility = ${patch.visibility}`);
  changes.push(sql`version = n.version + 1`, sql`updated_at = now()`);

  const { rows } = await db.execute<Found>(
    asCaller(auth, {
      with: sql`target as (select id, version from ${notes} where id = ${noteId} and owner_id = (select id from me)),
        updated as (
          update ${notes} n set ${sql.join(changes, sql`, `)}
          from target where n.id = target.id ${ifVersionIn(versions)}
          returning n.*
        )`,
      select: sql`(select version from target) as "currentVersion", ${noteColumns}`,
      from: sql`left join updated n on true`,
    }),
  );
  return toOutcome(rows[0]);
}

/** Answers the deleted note's attachments' object keys, to delete right away (the trigger queues them too). */
export async function deleteNote(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  versions: number[] | undefined,
): Promise<Outcome<{ objectKeys: string[] }>> {
  const { rows } = await db.execute<{
    authed: number;
    currentVersion: number | null;
    deleted: number;
    objectKeys: string[];
  }>(
    asCaller(auth, {
      with: sql`target as (select id, version from ${notes} where id = ${noteId} and owner_id = (select id from me)),
        deleted as (
          delete from ${notes} n using target
          where n.id = target.id ${ifVersionIn(versions)}
          returning n.id
        )`,
      select: sql`(select version from target) as "currentVersion", (select count(*) from deleted)::int as deleted,
        array(select object_key from ${attachments} where note_id in (select id from deleted)) as "objectKeys"`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (row.currentVersion === null) return missing();
  // Only that the version differs is known here; the current ETag comes with the next GET.
  return row.deleted ? done({ objectKeys: row.objectKeys }) : stale(null);
}

export type ListedNote = NoteRecord & { cursorTime: string; rank: number | null };

/** One page (plus one row, to know whether another page follows), newest first or by relevance. */
export async function listNotes(
  db: Database,
  auth: AccessTokenSubject,
  filters: NoteFilters,
  after: Cursor | undefined,
): Promise<Outcome<ListedNote[]>> {
  const sortColumn = filters.sort === "created" ? sql`n.created_at` : sql`n.updated_at`;
  const query = filters.q ? sql`websearch_to_tsquery('english', ${filters.q})` : undefined;
  const rank = query ? sql`ts_rank(n.search, ${query})` : sql`null::real`;

  const conditions: SQL[] = [sql`n.owner_id = (select id from me)`, sql`n.archived = ${filters.archived}`];
  if (filters.pinned !== undefined) conditions.push(sql`n.pinned = ${filters.pinned}`);
  if (filters.tag.length > 0) conditions.push(sql`n.tags @> ${textArray(filters.tag)}`);
  if (filters.notebookId) conditions.push(sql`n.notebook_id = ${filters.notebookId}`);
  if (query) conditions.push(sql`n.search @@ ${query}`);
  if (after) {
    const position = sql`(${after.time}::timestamptz, ${after.id}::uuid)`;
    conditions.push(
      query
        ? sql`(${rank}, ${sortColumn}, n.id) < (${after.rank}::real, ${after.time}::timestamptz, ${after.id}::uuid)`
        : sql`(${sortColumn}, n.id) < ${position}`,
    );
  }
  const order = query ? sql`${rank} desc, ${sortColumn} desc, n.id desc` : sql`${sortColumn} desc, n.id desc`;

  const { rows } = await db.execute<{ authed: number } & { [K in keyof ListedNote]: ListedNote[K] | null }>(
    asCaller(auth, {
      select: sql`page.*`,
      from: sql`left join lateral (
        select ${noteColumns}, ${exactTime(sortColumn)} as "cursorTime", ${rank} as rank
        from ${notes} n
        where ${sql.join(conditions, sql` and `)}
        order by ${order}
        limit ${filters.limit + 1}
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...note }) => note as ListedNote));
}

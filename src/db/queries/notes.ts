import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { Database } from "../client";
import { attachments, type NOTE_SCOPES, type NOTE_SORTS, notes, users, type VISIBILITIES } from "../schema";
import {
  accessDenied,
  canEdit,
  canPublish,
  destinationFor,
  noteAccessForWrite,
  type Role,
  readableNotes,
} from "./access";
import { asCaller, done, forbidden, missing, type Outcome, refused, stale, unauthenticated } from "./outcome";
import { keepReplacedVersion, revisionToRestore } from "./revisions";
import { exactTime, ifVersionIn, isoTimestamp, type Selected, selectList, textArray } from "./sql-fragments";

// Every statement here is the request's only round trip: it checks the session (`me`), the caller's
// role on the note (access.ts), and for writes the If-Match version, and answers enough to tell the
// outcomes apart.

/** The API's note, straight from SQL, from a row aliased `n`: one expression per field of the answer. */
export const noteFields = {
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
  publishedAt: sql<string | null>`${isoTimestamp(sql`n.published_at`)}`,
  trashedAt: sql<string | null>`${isoTimestamp(sql`n.trashed_at`)}`,
  role: sql<Role>`n.role`,
};
const noteColumns = selectList(noteFields);

/** A note as the API answers it; the route schema's type must accept it (checked where handlers answer). */
export type NoteRecord = Selected<typeof noteFields>;
type Note = NoteRecord;

/** What a change may set; the route schema decides what a client may send. */
export type NotePatch = Partial<
  Pick<NoteRecord, "title" | "content" | "tags" | "pinned" | "archived" | "visibility" | "notebookId">
>;

export interface NoteFilters {
  limit: number;
  sort: (typeof NOTE_SORTS)[number];
  q?: string;
  tag: string[];
  pinned?: boolean;
  archived: boolean;
  notebookId?: string;
  scope: (typeof NOTE_SCOPES)[number];
}

type Found = {
  authed: number;
  /** The note's version while the caller has a role on it (null: missing, or not theirs to see). */
  currentVersion: number | null;
  callerRole: Role | null;
  /** Where a note is created or moved: whether the caller can see it, and their role there. */
  destinationFound?: number;
  destinationRole?: Role | null;
  /** For a move: whether its attachments' bytes fit the destination payer's quota. */
  fits?: boolean;
  /** For a change of visibility: whether the caller may publish (canPublish). */
  mayPublish?: boolean;
} & { [K in keyof Note]: Note[K] | null };

/**
 * A statement's row as an outcome: no session; no such note (or none the caller may see); a role too
 * weak to change it, or to put it where it was going; a stale If-Match; or the note.
 */
function toOutcome(
  row: Found | undefined,
  { writes, moves, publishes = false }: { writes: boolean; moves: boolean; publishes?: boolean },
): Outcome<Note> {
  const denied = accessDenied(row, writes ? "editor" : "viewer", "note");
  if (denied || !row) return denied ?? unauthenticated;
  const {
    authed: _,
    currentVersion,
    callerRole: __,
    destinationFound,
    destinationRole,
    fits: ___,
    mayPublish,
    ...note
  } = row;
  if (publishes && !mayPublish) return forbidden;
  // Where it goes: a notebook the caller cannot see is 404; somewhere they may not put it (a notebook
  // they only view, or loose when it is not their note) is 403.
  if (moves && !destinationFound) return missing("notebook");
  if (moves && destinationRole !== "editor" && destinationRole !== "owner") return forbidden;
  if (note.id === null) return stale(currentVersion);
  return done(note as Note);
}

const destinationColumns = sql`(select count(*) from destination)::int as "destinationFound",
  (select role from destination) as "destinationRole"`;

/** A new note, loose or (for an editor or owner of it) in a notebook; its creator is its `ownerId` either way. */
export async function insertNote(
  db: Database,
  auth: AccessTokenSubject,
  values: { title: string; content: string; tags: string[]; pinned: boolean; notebookId: string | null },
): Promise<Outcome<Note>> {
  const { rows } = await db.execute<Found>(
    asCaller(auth, {
      with: sql`${destinationFor(values.notebookId, sql`(select id from me)`)},
        inserted as (
          insert into ${notes} (owner_id, edited_by, notebook_id, title, content, tags, pinned)
          select (select id from me), (select id from me), ${values.notebookId}::uuid, ${values.title}, ${values.content},
            ${textArray(values.tags)}, ${values.pinned}
          from destination where ${canEdit(sql`destination.role`)}
          returning *
        )`,
      select: sql`0 as "currentVersion", 'owner' as "callerRole", ${destinationColumns},
        ${noteColumns}`,
      from: sql`left join (select i.*, (select role from destination) as role from inserted i) n on true`,
    }),
  );
  return toOutcome(rows[0], { writes: false, moves: true });
}

export async function findNote(db: Database, auth: AccessTokenSubject, noteId: string): Promise<Outcome<Note>> {
  const { rows } = await db.execute<Found>(
    asCaller(auth, {
      select: sql`n.version as "currentVersion", n.role as "callerRole", ${noteColumns}`,
      from: sql`left join ${readableNotes} n on n.id = ${noteId}`,
    }),
  );
  return toOutcome(rows[0], { writes: false, moves: false });
}

/**
 * The parts of a PATCH that moves a note (`notebookId` given): an editing role at both ends, and room
 * for its attachments' bytes in the quota of whoever pays at the destination (the notebook's owner, or
 * the note's own owner when it becomes loose). Bytes that stay with the same payer need no room. The
 * payer's account row is locked like an upload's confirmation locks it, so moves and uploads queue up.
 */
function moveParts(notebookId: string | null, quotaBytes: number) {
  const newPayer = sql`(select quota_owner from destination)`;
  const arriving = sql`select size from ${attachments} where note_id = (select id from access) and owner_id <> ${newPayer}`;
  return {
    with: sql`${destinationFor(notebookId, sql`(select owner_id from access)`)},
      payer as (select id from ${users} where id = ${newPayer} for no key update),
      room as (
        select not exists (${arriving})
          or (select coalesce(sum(size), 0) from ${attachments} where owner_id = (select id from payer))
            + (select coalesce(sum(size), 0) from (${arriving}) as moving) <= ${quotaBytes} as fits
      ),`,
    allowed: sql`and ${canEdit(sql`(select role from destination)`)} and (select fits from room)`,
    role: sql`(select role from destination)`,
    requota: sql`, requota as (
      update ${attachments} set owner_id = ${newPayer} where note_id in (select id from updated)
    )`,
    columns: sql`${destinationColumns}, (select fits from room) as fits`,
  };
}

/**
 * `versions`: the If-Match versions, any of which may match; undefined when there is no If-Match.
 * `quotaBytes`: the storage quota a move must respect.
 */
export async function updateNote(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  change: NotePatch | { restore: number },
  versions: number[] | undefined,
  quotaBytes: number,
): Promise<Outcome<Note, "over-quota">> {
  const restoring = "restore" in change ? change.restore : undefined;
  const patch: NotePatch = "restore" in change ? {} : change;
  const changes: SQL[] = [];
  if (restoring !== undefined) {
    changes.push(
      sql`title = (select title from revision)`,
      sql`content = (select content from revision)`,
      sql`tags = (select tags from revision)`,
    );
  }
  if (patch.title !== undefined) changes.push(sql`title = ${patch.title}`);
  if (patch.content !== undefined) changes.push(sql`content = ${patch.content}`);
  if (patch.tags !== undefined) changes.push(sql`tags = ${textArray(patch.tags)}`);
  const rewrites = restoring !== undefined || [patch.title, patch.content, patch.tags].some((v) => v !== undefined);
  if (patch.pinned !== undefined) changes.push(sql`pinned = ${patch.pinned}`);
  if (patch.archived !== undefined) changes.push(sql`archived = ${patch.archived}`);
  if (patch.visibility !== undefined) changes.push(sql`visibility = ${patch.visibility}`);
  if (patch.visibility === "public") changes.push(sql`published_at = coalesce(n.published_at, now())`);
  const publishes = patch.visibility !== undefined;
  if (patch.notebookId !== undefined) changes.push(sql`notebook_id = ${patch.notebookId}::uuid`);
  changes.push(sql`version = n.version + 1`, sql`updated_at = now()`);
  if (rewrites) changes.push(sql`edited_by = (select id from me)`, sql`content_updated_at = now()`);
  const move = patch.notebookId === undefined ? undefined : moveParts(patch.notebookId, quotaBytes);

  const { rows } = await db.execute<Found & { revisionFound: number }>(
    asCaller(auth, {
      with: sql`${noteAccessForWrite(noteId)}, ${move?.with ?? sql``}
        ${restoring === undefined ? sql`` : sql`${revisionToRestore(restoring)},`}
        updated as (
          update ${notes} n set ${sql.join(changes, sql`, `)}
          from access where n.id = access.id and ${canEdit(sql`access.role`)} ${ifVersionIn(versions)}
            ${move?.allowed ?? sql``} ${publishes ? sql`and ${canPublish(sql`access`)}` : sql``}
            ${restoring === undefined ? sql`` : sql`and exists (select 1 from revision)`}
          returning n.*, ${move?.role ?? sql`access.role`} as role
        ) ${move?.requota ?? sql``}
        ${rewrites ? sql`, ${keepReplacedVersion({ merge: restoring === undefined })}` : sql``}`,
      select: sql`(select version from access) as "currentVersion", (select role from access) as "callerRole",
        ${move?.columns ?? sql`0 as "destinationFound", null as "destinationRole", true as fits`},
        (select ${canPublish(sql`access`)} from access) as "mayPublish",
        ${restoring === undefined ? sql`1` : sql`(select count(*) from revision)::int`} as "revisionFound",
        ${noteColumns}`,
      from: sql`left join updated n on true`,
    }),
  );
  const outcome = toOutcome(rows[0], { writes: true, moves: move !== undefined, publishes });
  if (outcome.kind === "stale" && rows[0]?.revisionFound === 0) return missing("revision");
  // Nothing updated although everything else allowed it: the bytes did not fit (or, too, If-Match was stale).
  return outcome.kind === "stale" && rows[0]?.fits === false ? refused("over-quota") : outcome;
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

  const conditions: SQL[] = [sql`n.archived = ${filters.archived}`];
  if (filters.scope === "own") conditions.push(sql`n.role = 'owner'`);
  if (filters.scope === "shared") conditions.push(sql`n.role <> 'owner'`);
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
        from ${readableNotes} n
        where ${sql.join(conditions, sql` and `)}
        order by ${order}
        limit ${filters.limit + 1}
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...note }) => note as ListedNote));
}

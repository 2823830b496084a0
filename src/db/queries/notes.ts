import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { type NOTE_SCOPES, type NOTE_SORTS, notes } from "../schema";
import { destinationFor, readableNoteHalves, readableNotes } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { selectPage } from "./keyset";
import { type ChangeRefusal, changeNote, editFields, moveTo, type NoteChangePart, setVisibility } from "./note-changes";
import { type NotePatch, type NoteRecord, noteColumns } from "./note-record";
import { done, forbidden, missing, type Outcome, unauthenticated } from "./outcome";
import { type AccessRow, denied, permits } from "./permissions";
import { exactTime, type Nullable, textArray } from "./sql-fragments";

// Every statement here is the request's only round trip: it checks the session (`me`), the caller's
// role on the note judged by permissions.ts, and for writes the If-Match version, and answers enough to
// tell the outcomes apart.

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

/** A new note, loose or (note.create) in a notebook; its creator is its `ownerId` either way. */
export async function insertNote(
  db: Database,
  caller: SignedInCaller,
  values: { title: string; content: string; tags: string[]; pinned: boolean; notebookId: string | null },
): Promise<Outcome<NoteRecord>> {
  const allowed = permits("note.create", { role: sql`destination.role` });
  const { rows } = await db.execute<
    { authed: number; destinationFound: number; allowed: boolean | null } & Nullable<NoteRecord>
  >(
    asCaller(caller, {
      with: sql`${destinationFor(values.notebookId, sql`(select id from me)`)},
        inserted as (
          insert into ${notes} (owner_id, edited_by, notebook_id, title, content, tags, pinned)
          select (select id from me), (select id from me), ${values.notebookId}::uuid, ${values.title}, ${values.content},
            ${textArray(values.tags)}, ${values.pinned}
          from destination where ${allowed}
          returning *
        )`,
      select: sql`(select count(*) from destination)::int as "destinationFound",
        coalesce((select ${allowed} from destination), false) as allowed, ${noteColumns}`,
      from: sql`left join (select i.*, (select role from destination) as role from inserted i) n on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.destinationFound) return missing("notebook");
  if (!row.allowed) return forbidden;
  const { authed: _, destinationFound: __, allowed: ___, ...note } = row;
  return done(note as NoteRecord);
}

export async function findNote(db: Database, caller: SignedInCaller, noteId: string): Promise<Outcome<NoteRecord>> {
  const { rows } = await db.execute<AccessRow & Nullable<NoteRecord>>(
    asCaller(caller, {
      select: sql`n.role as "callerRole", ${permits("note.read", { role: sql`n.role` })} as allowed, ${noteColumns}`,
      from: sql`left join ${readableNotes} n on n.id = ${noteId}`,
    }),
  );
  const refusal = denied("note.read", rows[0]);
  if (refusal || !rows[0]) return refusal ?? unauthenticated;
  const { authed: _, callerRole: __, allowed: ___, ...note } = rows[0];
  return done(note as NoteRecord);
}

/**
 * PATCH /v1/notes/{id}: the fields given, each part under its own rule (an edit, publishing, a move
 * within `quotaBytes`), in one statement. `versions`: the If-Match versions; undefined without If-Match.
 */
export function editNote(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  patch: NotePatch,
  versions: number[] | undefined,
  quotaBytes: number,
): Promise<Outcome<NoteRecord, ChangeRefusal>> {
  const { visibility, notebookId, ...fields } = patch;
  const parts: NoteChangePart[] = [editFields(fields)];
  if (visibility !== undefined) parts.push(setVisibility(visibility));
  if (notebookId !== undefined) parts.push(moveTo(notebookId, quotaBytes));
  return changeNote(db, caller, noteId, parts, versions);
}

export type ListedNote = NoteRecord & { cursorTime: string; rank: number | null };

/** One page (plus one row, to know whether another page follows), newest first or by relevance. */
export async function listNotes(
  db: Database,
  caller: SignedInCaller,
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
  const keys = [sortColumn, sql`n.id`];
  const position = after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`];

  const page = await selectPage<ListedNote>(db, caller, {
    columns: sql`${noteColumns}, ${exactTime(sortColumn)} as "cursorTime", ${rank} as rank`,
    from: readableNoteHalves,
    where: conditions,
    order: query ? [rank, ...keys] : keys,
    after: position && (query ? [sql`${after.rank}::real`, ...position] : position),
    limit: filters.limit,
  });
  return page.kind === "done" ? done(page.value.items) : page;
}

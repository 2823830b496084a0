import { sql } from "drizzle-orm";
import type { Database, Transaction } from "../client";
import { attachments, notebookMembers, notebooks, notes, r2Outbox, users } from "../schema";
import { asCaller, type SignedInCaller, unlimitedReach, withinReach } from "./caller";
import { done, forbidden, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { permits } from "./permissions";
import { textList } from "./sql-fragments";

// An import's statements: objects reserved before their bytes go to R2 (so the sweep removes them if
// nothing ever names them), then one transaction that writes every note and attachment row or none.

// Longer than any import takes; the sweep removes what is still unclaimed after it.
const IMPORT_GRACE = sql.raw("interval '1 hour'");

/** Records R2 keys about to be written as pending uploads; unauthenticated when the session has ended. */
export async function reserveObjects(db: Database, caller: SignedInCaller, keys: string[]): Promise<Outcome<void>> {
  const { rows } = await db.execute<{ authed: number }>(
    asCaller(caller, {
      with: sql`reserved as (
        insert into ${r2Outbox} (object_key, reason, not_before)
        select key, 'upload', now() + ${IMPORT_GRACE} from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) key
        where exists (select 1 from me)
      )`,
      select: sql`1 as one`,
    }),
  );
  return rows[0]?.authed ? done(undefined) : unauthenticated;
}

/** Gives up reservations whose objects were deleted (or never written). */
export function releaseObjects(db: Database, keys: string[]) {
  return db.execute(sql`delete from ${r2Outbox} where object_key in ${textList(keys)} and reason = 'upload'`);
}

/** Which of these note ids the caller already has (in the trash too): an earlier import made them. */
export async function importedBefore(db: Database, caller: SignedInCaller, ids: string[]): Promise<Set<string>> {
  const { rows } = await db.execute<{ authed: number; id: string | null }>(
    asCaller(caller, {
      select: sql`n.id`,
      from: sql`left join ${notes} n on n.id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb) value)
        and n.owner_id = (select id from me)`,
    }),
  );
  return new Set(rows.flatMap((row) => (row.id ? [row.id] : [])));
}

/** Where imported notes go: one notebook the caller may create notes in, or (null) their own place. */
export interface ImportTarget {
  notebookId: string | null;
  /** Whose storage quota the attachments count against. */
  quotaOwner: string;
}

/**
 * In the import's transaction, first: the session, the caller's right to create notes where they go
 * (note.create in `notebookId`; without one, their own notebooks, which a notebook-limited token may
 * not make), and the quota of whoever pays, with that account locked so concurrent uploads queue up.
 */
export async function lockImportTarget(
  tx: Transaction,
  caller: SignedInCaller,
  notebookId: string | null,
  newBytes: number,
  quotaBytes: number,
): Promise<Outcome<ImportTarget, "over-quota">> {
  const { rows } = await tx.execute<{ authed: number; role: string | null; allowed: boolean; quotaOwner: string }>(
    asCaller(caller, {
      with:
        notebookId === null
          ? sql`destination as (select 'owner' as role, id as quota_owner from me where ${unlimitedReach})`
          : sql`destination as (
              select m.role, nb.owner_id as quota_owner
              from ${notebooks} nb join ${notebookMembers} m on m.notebook_id = nb.id and m.user_id = (select id from me)
              where nb.id = ${notebookId} and ${withinReach(sql`nb.id`)}
              for share of m
            )`,
      select: sql`(select role from destination) as role,
        coalesce((select ${permits("note.create", { role: sql`role` })} from destination), false) as allowed,
        (select quota_owner from destination) as "quotaOwner"`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (notebookId === null && row.role === null) return forbidden;
  if (row.role === null) return missing("notebook");
  if (!row.allowed) return forbidden;
  const used = await tx.execute<{ bytes: number }>(sql`
    with owner as (select id from ${users} where id = ${row.quotaOwner} for no key update)
    select coalesce(sum(a.size), 0)::float8 as bytes from ${attachments} a where a.owner_id = (select id from owner)`);
  if ((used.rows[0]?.bytes ?? 0) + newBytes > quotaBytes) return refused("over-quota");
  return done({ notebookId, quotaOwner: row.quotaOwner });
}

/** The caller's own notebooks by these names (the oldest of a name), made where they have none. */
export async function notebooksNamed(tx: Transaction, userId: string, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const { rows } = await tx.execute<{ name: string; id: string }>(sql`
    with wanted as (select distinct name from jsonb_array_elements_text(${JSON.stringify(names)}::jsonb) name),
    found as (
      select distinct on (nb.name) nb.name, nb.id from ${notebooks} nb join wanted w on w.name = nb.name
      where nb.owner_id = ${userId} order by nb.name, nb.created_at, nb.id
    ),
    created as (
      insert into ${notebooks} (owner_id, name)
      select ${userId}, w.name from wanted w where not exists (select 1 from found f where f.name = w.name)
      returning id, name, owner_id
    ),
    owners as (insert into ${notebookMembers} (notebook_id, user_id, role) select id, owner_id, 'owner' from created)
    select name, id from found union all select name, id from created`);
  return new Map(rows.map((row) => [row.name, row.id]));
}

/** A note's own values, as the notes table takes them from a file. */
export interface ImportedNoteValues {
  title: string;
  content: string;
  tags: string[];
  pinned: boolean;
  archived: boolean;
  createdAt: string | null;
  updatedAt: string | null;
}

export type ImportedNoteRow = ImportedNoteValues & { id: string; notebookId: string | null };

export interface ImportedAttachmentRow {
  noteId: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  objectKey: string;
  /** As exported (null: now); with `position`, the note's order of attachments. */
  createdAt: string | null;
  position: number;
}

/**
 * Writes notes with their attachments, skipping any note whose id exists (an earlier import made it),
 * and settles the pending uploads of the attachments written. Answers the ids written.
 */
export async function insertImportedNotes(
  tx: Transaction,
  userId: string,
  quotaOwner: string,
  rows: ImportedNoteRow[],
  files: ImportedAttachmentRow[],
): Promise<string[]> {
  const { rows: written } = await tx.execute<{ id: string }>(sql`
    with incoming as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(
        id uuid, "notebookId" uuid, title text, content text, tags jsonb, pinned boolean, archived boolean,
        "createdAt" timestamptz, "updatedAt" timestamptz)
    ),
    incoming_files as (
      select * from jsonb_to_recordset(${JSON.stringify(files)}::jsonb) as f(
        "noteId" uuid, filename text, "contentType" text, size bigint, sha256 text, "objectKey" text,
        "createdAt" timestamptz, position int)
    ),
    inserted as (
      insert into ${notes} (id, owner_id, edited_by, notebook_id, title, content, tags, pinned, archived,
        attachment_count, created_at, updated_at, content_updated_at)
      select r.id, ${userId}, ${userId}, r."notebookId", r.title, r.content,
        array(select jsonb_array_elements_text(r.tags)), r.pinned, r.archived,
        (select count(*) from incoming_files f where f."noteId" = r.id),
        coalesce(r."createdAt", now()), coalesce(r."updatedAt", r."createdAt", now()), coalesce(r."updatedAt", now())
      from incoming r
      on conflict (id) do nothing
      returning id
    ),
    stored as (
      insert into ${attachments} (note_id, owner_id, filename, content_type, size, sha256, object_key, created_at, updated_at)
      select f."noteId", ${quotaOwner}, f.filename, f."contentType", f.size, f.sha256, f."objectKey",
        coalesce(f."createdAt", now()) + make_interval(secs => f.position / 1e6), now()
      from incoming_files f where f."noteId" in (select id from inserted)
      returning object_key
    ),
    settled as (delete from ${r2Outbox} where object_key in (select object_key from stored))
    select id from inserted`);
  return written.map((row) => row.id);
}

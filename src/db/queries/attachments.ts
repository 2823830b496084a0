import { type SQL, sql } from "drizzle-orm";
import type { Database, Transaction } from "../client";
import { attachments, MAX_ATTACHMENTS_PER_NOTE, notebooks, notes, r2Outbox, users } from "../schema";
import { noteAccessForWrite, readableNoteAccess } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { done, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied, permits } from "./permissions";
import { isoTimestamp, jsonObject, type Nullable, type Selected, selectList } from "./sql-fragments";

/** The API's attachment from a row aliased `a`: one expression per field of the answer. */
const attachmentFields = {
  id: sql<string>`a.id`,
  noteId: sql<string>`a.note_id`,
  filename: sql<string>`a.filename`,
  contentType: sql<string>`a.content_type`,
  size: sql<number>`a.size::float8`,
  sha256: sql<string>`a.sha256`,
  createdAt: isoTimestamp(sql`a.created_at`),
  updatedAt: isoTimestamp(sql`a.updated_at`),
};
const attachmentColumns = selectList(attachmentFields);

/** An attachment as the API answers it. */
export type AttachmentRecord = Selected<typeof attachmentFields>;
type Attachment = AttachmentRecord;

/** An attachment as readers of a public or shared note see it: within its note, so without noteId. */
const { noteId: _, ...noteAttachmentFields } = attachmentFields;
export type NoteAttachmentRecord = Selected<typeof noteAttachmentFields>;

/** The attachments of the note whose id is `noteId` (an SQL expression) as one JSON array, oldest first. */
export const attachmentsOfNote = (noteId: SQL) => sql<NoteAttachmentRecord[]>`(
  select coalesce(json_agg(${jsonObject(noteAttachmentFields)} order by a.created_at, a.id), '[]'::json)
  from ${attachments} a where a.note_id = ${noteId}
)`;

/** What a download needs of an attachment row `a` (storage/serve-download.ts). */
export const storedFileColumns = selectList({
  filename: sql<string>`a.filename`,
  contentType: sql<string>`a.content_type`,
  size: sql<number>`a.size::float8`,
  sha256: sql<string>`a.sha256`,
  objectKey: sql<string>`a.object_key`,
});

// An unconfirmed upload's object is swept this long after it was reserved: longer than any upload takes.
const UPLOAD_GRACE = sql.raw("interval '1 hour'");

/** Whose quota a note's attachments count against: its notebook's owner, or a loose note's own owner. */
const quotaOwner = sql`coalesce((select owner_id from ${notebooks} where id = access.notebook_id), access.owner_id)`;

/** The limits an upload can run into, besides the outcomes every statement shares. */
export type UploadLimit = "too-many-attachments" | "over-quota";
export type UploadOutcome<T> = Outcome<T, UploadLimit>;

/**
 * Before any byte goes to R2: checks the session, an editing role on the note (and for a replacement the
 * attachment), the per-note count and the quota (of the notebook's owner, for a note in a notebook) for
 * the announced size, and records the object key as a pending upload,
 * so the bytes can be found and removed if nothing ever confirms them.
 */
export async function reserveUpload(
  db: Database,
  caller: SignedInCaller,
  args: { noteId: string; replacing?: string; objectKey: string; announcedBytes: number; quotaBytes: number },
): Promise<UploadOutcome<void>> {
  const replacing = args.replacing ?? null;
  const { rows } = await db.execute<
    AccessRow & { attachmentCount: number | null; replacedFound: number; reserved: number }
  >(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(args.noteId)},
        note as (
          select n.id, n.attachment_count from ${notes} n join access on access.id = n.id
          where ${permits("attachment.upload", { role: sql`access.role` })}
        ),
        replaced as (select size from ${attachments} where id = ${replacing}::uuid and note_id = (select id from note)),
        used as (select coalesce(sum(size), 0) as bytes from ${attachments} where owner_id = (select ${quotaOwner} from access)),
        reserved as (
          insert into ${r2Outbox} (object_key, reason, not_before)
          select ${args.objectKey}, 'upload', now() + ${UPLOAD_GRACE} from note
          where ${replacing === null ? sql`note.attachment_count < ${MAX_ATTACHMENTS_PER_NOTE}` : sql`exists (select 1 from replaced)`}
            and (select bytes from used) - coalesce((select size from replaced), 0) + ${args.announcedBytes} <= ${args.quotaBytes}
          returning object_key
        )`,
      select: sql`${accessColumns("attachment.upload")}, (select attachment_count from note) as "attachmentCount",
        (select count(*) from replaced)::int as "replacedFound", (select count(*) from reserved)::int as reserved`,
    }),
  );
  const row = rows[0];
  const refusal = denied("attachment.upload", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  if (replacing !== null && !row.replacedFound) return missing("attachment");
  if (row.reserved) return done(undefined);
  return refused(
    replacing === null && (row.attachmentCount ?? 0) >= MAX_ATTACHMENTS_PER_NOTE
      ? "too-many-attachments"
      : "over-quota",
  );
}

export interface StoredUpload {
  noteId: string;
  objectKey: string;
  filename: string | undefined;
  contentType: string;
  size: number;
  sha256: string;
  quotaBytes: number;
}

/**
 * After the bytes are in R2: in one transaction, lock the note and re-check the caller's role (its
 * membership share-locked, so a removal committed first wins; a move is seen, and decides whose quota
 * pays), then with the quota's owner locked too, so concurrent uploads and moves queue up, re-check the
 * limits against what is committed now, write the row and settle the pending upload. `replacing` swaps
 * the bytes of an existing attachment instead of adding one.
 */
export async function confirmUpload(
  tx: Transaction,
  caller: SignedInCaller,
  upload: StoredUpload,
  replacing?: string,
): Promise<UploadOutcome<Attachment>> {
  const access = await tx.execute<AccessRow & { quotaOwner: string | null }>(
    asCaller(caller, {
      with: noteAccessForWrite(upload.noteId),
      select: sql`${accessColumns("attachment.upload")}, (select ${quotaOwner} from access) as "quotaOwner"`,
    }),
  );
  const found = access.rows[0];
  const refusal = denied("attachment.upload", found);
  if (refusal || !found) return refusal ?? unauthenticated;
  const note = await tx.execute<{ attachmentCount: number; quotaOwner: string }>(sql`
    with owner as (select id from ${users} where id = ${found.quotaOwner} for no key update)
    select attachment_count as "attachmentCount", (select id from owner) as "quotaOwner"
    from ${notes} where id = ${upload.noteId}`);
  const current = note.rows[0];
  if (current?.attachmentCount == null || !current.quotaOwner) return missing("note");
  if (!replacing && current.attachmentCount >= MAX_ATTACHMENTS_PER_NOTE) return refused("too-many-attachments");

  const used = await tx.execute<{ bytes: number }>(sql`
    select coalesce(sum(size), 0)::float8 as bytes from ${attachments}
    where owner_id = ${current.quotaOwner} ${replacing ? sql`and id <> ${replacing}` : sql``}`);
  if ((used.rows[0]?.bytes ?? 0) + upload.size > upload.quotaBytes) return refused("over-quota");

  const written = replacing
    ? await tx.execute<Attachment>(sql`
        update ${attachments} a set object_key = ${upload.objectKey}, content_type = ${upload.contentType},
          size = ${upload.size}, sha256 = ${upload.sha256}, updated_at = now()
          ${upload.filename ? sql`, filename = ${upload.filename}` : sql``}
        where a.id = ${replacing} and a.note_id = ${upload.noteId}
        returning ${attachmentColumns}`)
    : await tx.execute<Attachment>(sql`
        with a as (
          insert into ${attachments} (note_id, owner_id, filename, content_type, size, sha256, object_key)
          values (${upload.noteId}, ${current.quotaOwner}, ${upload.filename ?? "attachment"}, ${upload.contentType},
            ${upload.size}, ${upload.sha256}, ${upload.objectKey})
          returning *
        ), counted as (
          update ${notes} set attachment_count = attachment_count + 1, version = version + 1, updated_at = now()
          where id = ${upload.noteId}
        )
        select ${attachmentColumns} from a`);
  const attachment = written.rows[0];
  if (!attachment) return missing("attachment");
  await tx.execute(sql`delete from ${r2Outbox} where object_key = ${upload.objectKey}`);
  // The note's public copy lists its attachments (the feed's attachmentCount may lag up to s-maxage).
  return done(attachment, { staleNotes: [upload.noteId] });
}

/** Gives up a reservation whose bytes never became an attachment. */
export function discardReservation(db: Database, objectKey: string) {
  return db.execute(sql`delete from ${r2Outbox} where object_key = ${objectKey} and reason = 'upload'`);
}

export async function listAttachments(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
): Promise<Outcome<Attachment[]>> {
  const { rows } = await db.execute<AccessRow & Nullable<Attachment>>(
    asCaller(caller, {
      with: readableNoteAccess(noteId),
      select: sql`${accessColumns("attachment.read")}, page.*`,
      from: sql`left join lateral (
        select ${attachmentColumns} from ${attachments} a
        where a.note_id = (select id from access) and ${accessAllows("attachment.read")}
        order by a.created_at, a.id
      ) as page on true`,
    }),
  );
  const refusal = denied("attachment.read", rows[0]);
  if (refusal) return refusal;
  return done(
    rows
      .filter((row) => row.id !== null)
      .map(({ authed: _, callerRole: __, allowed: ___, ...attachment }) => attachment as Attachment),
  );
}

export async function findAttachment(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  attachmentId: string,
): Promise<Outcome<{ attachment: Attachment; objectKey: string }>> {
  const { rows } = await db.execute<AccessRow & { objectKey: string | null } & Nullable<Attachment>>(
    asCaller(caller, {
      with: readableNoteAccess(noteId),
      select: sql`${accessColumns("attachment.read")}, a.object_key as "objectKey", ${attachmentColumns}`,
      from: sql`left join ${attachments} a on a.id = ${attachmentId}
        and a.note_id = (select id from access) and ${accessAllows("attachment.read")}`,
    }),
  );
  const row = rows[0];
  const refusal = denied("attachment.read", row);
  // A download names the attachment: with no note to read, it answers as for a missing attachment.
  if (refusal?.kind === "missing") return missing("attachment");
  if (refusal || !row) return refusal ?? unauthenticated;
  if (row.id === null || row.objectKey === null) return missing("attachment");
  const { authed: _, callerRole: __, allowed: ___, objectKey, ...attachment } = row;
  return done({ attachment: attachment as Attachment, objectKey });
}

/** Deletes the row (the trigger queues its object); its bytes go right away, after the answer. */
export async function deleteAttachment(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  attachmentId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<AccessRow & { objectKey: string | null }>(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(noteId)},
        deleted as (
          delete from ${attachments} a using access
          where a.id = ${attachmentId} and a.note_id = access.id and ${permits("attachment.delete", { role: sql`access.role` })}
          returning a.note_id, a.object_key
        ), counted as (
          update ${notes} set attachment_count = attachment_count - 1, version = version + 1, updated_at = now()
          where id in (select note_id from deleted)
        )`,
      select: sql`${accessColumns("attachment.delete")}, (select object_key from deleted) as "objectKey"`,
    }),
  );
  const row = rows[0];
  const refusal = denied("attachment.delete", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  if (row.objectKey === null) return missing("attachment");
  return done(undefined, { staleNotes: [noteId], unreferencedObjects: [row.objectKey] });
}

import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { attachments, notebooks } from "../schema";
import { notebookAccess, readableNoteHalves } from "./access";
import type { SignedInCaller } from "./caller";
import { selectPage } from "./keyset";
import { noteFields } from "./note-record";
import { done, missing, type Outcome } from "./outcome";
import { isoTimestamp, jsonObject, type Selected, selectList } from "./sql-fragments";

/** What an export writes of an attachment, from a row aliased `a`: its metadata and where its bytes are. */
const exportedAttachmentFields = {
  id: sql<string>`a.id`,
  filename: sql<string>`a.filename`,
  contentType: sql<string>`a.content_type`,
  size: sql<number>`a.size::float8`,
  sha256: sql<string>`a.sha256`,
  createdAt: isoTimestamp(sql`a.created_at`),
  objectKey: sql<string>`a.object_key`,
};
export type ExportedAttachment = Selected<typeof exportedAttachmentFields>;

/** What an export writes of a note, from a readable note row `n`: the note, its notebook's name, its attachments. */
const { id, title, content, tags, pinned, archived, visibility, notebookId, createdAt, updatedAt } = noteFields;
const exportedNoteFields = {
  id,
  title,
  content,
  tags,
  pinned,
  archived,
  visibility,
  notebookId,
  createdAt,
  updatedAt,
  notebookName: sql<string | null>`(select nb.name from ${notebooks} nb where nb.id = n.notebook_id)`,
  attachments: sql<ExportedAttachment[]>`(
    select coalesce(json_agg(${jsonObject(exportedAttachmentFields)} order by a.created_at, a.id), '[]'::json)
    from ${attachments} a where a.note_id = n.id)`,
};
export type ExportedNote = Selected<typeof exportedNoteFields>;

/**
 * One page of an export, by id: the notes the caller can read (archived ones too, the trash not), or
 * those of one notebook they belong to (missing("notebook") when they do not). `limit` plus one row,
 * to tell whether another page follows.
 */
export async function exportPage(
  db: Database,
  caller: SignedInCaller,
  options: { notebookId?: string; afterId?: string; limit: number },
): Promise<Outcome<ExportedNote[]>> {
  const { notebookId, afterId, limit } = options;
  const page = await selectPage<ExportedNote, { notebookFound: SQL<number> }>(db, caller, {
    with: notebookId ? notebookAccess(notebookId) : undefined,
    head: notebookId ? { notebookFound: sql<number>`(select count(*) from access)::int` } : undefined,
    columns: selectList(exportedNoteFields),
    from: readableNoteHalves,
    where: notebookId ? [sql`n.notebook_id = ${notebookId}`] : [],
    order: [sql`n.id`],
    after: afterId ? [sql`${afterId}::uuid`] : undefined,
    limit,
  });
  if (page.kind !== "done") return page;
  if (notebookId && !page.value.head.notebookFound) return missing("notebook");
  return done(page.value.items);
}

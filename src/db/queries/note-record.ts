import { sql } from "drizzle-orm";
import type { VISIBILITIES } from "../schema";
import type { Role } from "./permissions";
import { isoTimestamp, type Selected, selectList } from "./sql-fragments";

/** The API's note, straight from SQL, from a row aliased `n` that has the caller's `role`: one expression per field. */
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
export const noteColumns = selectList(noteFields);

/** A note as the API answers it; the route schema's type must accept it (checked where handlers answer). */
export type NoteRecord = Selected<typeof noteFields>;

/** What an edit may set; the route schema decides what a client may send. */
export type NotePatch = Partial<
  Pick<NoteRecord, "title" | "content" | "tags" | "pinned" | "archived" | "visibility" | "notebookId">
>;

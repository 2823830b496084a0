import type { ExportedNote } from "../db/queries/exports";
import { type FrontMatter, readMarkdown, writeMarkdown } from "./front-matter";

// One note as one Markdown file: its fields in front matter (the keys below, which Obsidian shows as
// properties and Joplin's "Markdown + Front Matter" import reads: title, tags, created, updated), its
// content after it, byte for byte.

/** A note's file: front matter, then the content. `attachments`: links to its files, relative to this one. */
export function writeNoteFile(note: ExportedNote, attachments: string[]): string {
  const frontMatter: FrontMatter = {
    id: note.id,
    title: note.title,
    tags: note.tags,
    notebook: note.notebookName,
    notebookId: note.notebookId,
    visibility: note.visibility,
    pinned: note.pinned,
    archived: note.archived,
    created: note.createdAt,
    updated: note.updatedAt,
    attachments,
  };
  return writeMarkdown(frontMatter, note.content);
}

/**
 * What a Markdown file says about its note, before validation: each field as found (undefined when the
 * file does not say), the content, and the front matter keys the reader could not take (nested YAML).
 */
export interface NoteFileFields {
  id: unknown;
  title: unknown;
  tags: unknown;
  notebook: unknown;
  pinned: unknown;
  archived: unknown;
  created: unknown;
  updated: unknown;
  attachments: unknown;
  content: string;
}

/** The fields of a note file (throws FrontMatterError for front matter it cannot read). */
export function readNoteFile(text: string): NoteFileFields {
  const { frontMatter, body } = readMarkdown(text);
  const field = (name: string) => (Object.hasOwn(frontMatter, name) ? frontMatter[name] : undefined);
  return {
    id: field("id"),
    title: field("title"),
    // Obsidian writes a single tag as a plain string.
    tags: typeof field("tags") === "string" ? [field("tags")] : field("tags"),
    notebook: field("notebook"),
    pinned: field("pinned"),
    archived: field("archived"),
    created: field("created"),
    updated: field("updated"),
    attachments: field("attachments"),
    content: body,
  };
}

import { makeZip } from "client-zip";
import type { ExportedNote } from "../db/queries/exports";
import { ArchiveLayout, MANIFEST_PATH, relativePath } from "./layout";
import { EXPORT_FORMAT, EXPORT_VERSION, type Manifest } from "./manifest";
import { writeNoteFile } from "./note-file";

/** Where an export reads from, a page and an object at a time, while the zip is being sent. */
export interface ExportSource {
  /** The notes after `afterId` (the first page: undefined) and whether more follow. */
  page(afterId: string | undefined): Promise<{ notes: ExportedNote[]; more: boolean }>;
  /** An attachment's bytes; null when the object is gone or not to be exported (the file is then left out). */
  object(key: string): Promise<ReadableStream<Uint8Array> | null>;
  /** Told of each attachment left out for want of its object. */
  missing(attachment: { noteId: string; attachmentId: string }): void;
  /** Told of a failure that cuts the archive short. */
  failed(error: unknown): void;
}

/**
 * The export as a zip, written while it is read: client-zip stores files as they are (no deflating in
 * JavaScript, so the CPU goes to CRC-32 alone) and pulls the next file only when the reader wants more
 * bytes, so memory holds one chunk of one file, one page of notes, and the manifest's lines. A failure
 * midway (the database gone) ends the stream with an error: the client gets a zip without its central
 * directory, which no unzip tool accepts, never one that silently lacks notes.
 */
export function exportArchive(source: ExportSource, first: { notes: ExportedNote[]; more: boolean }) {
  // client-zip's stream enqueues only while its desiredSize is above 0. Read whole inside workerd
  // (arrayBuffer, tee) it stalled after a few files; behind a TransformStream's JS reader it never did.
  return makeZip(files(source, first)).pipeThrough(new TransformStream());
}

async function* files(source: ExportSource, first: { notes: ExportedNote[]; more: boolean }) {
  const layout = new ArchiveLayout();
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    notes: [],
  };
  try {
    for (let page = first; ; page = await source.page(page.notes.at(-1)?.id)) {
      for (const note of page.notes) {
        const notebook = note.notebookId === null ? null : { id: note.notebookId, name: note.notebookName ?? "" };
        const path = layout.notePath(layout.folderOf(notebook), note.title);
        const entry: Manifest["notes"][number] = { id: note.id, path, notebook, attachments: [] };
        const bytes: { path: string; body: ReadableStream<Uint8Array>; size: number; createdAt: string }[] = [];
        for (const attachment of note.attachments) {
          const body = await source.object(attachment.objectKey);
          if (!body) {
            source.missing({ noteId: note.id, attachmentId: attachment.id });
            continue;
          }
          const { objectKey: _, ...described } = attachment;
          const attachmentPath = layout.attachmentPath(note.id, attachment.filename);
          entry.attachments.push({ ...described, path: attachmentPath });
          bytes.push({ path: attachmentPath, body, size: attachment.size, createdAt: attachment.createdAt });
        }
        const links = entry.attachments.map((attachment) => relativePath(path, attachment.path));
        yield { name: path, lastModified: new Date(note.updatedAt), input: writeNoteFile(note, links) };
        for (const file of bytes) {
          yield { name: file.path, lastModified: new Date(file.createdAt), input: file.body, size: file.size };
        }
        manifest.notes.push(entry);
      }
      if (!page.more) break;
    }
    yield {
      name: MANIFEST_PATH,
      lastModified: new Date(manifest.exportedAt),
      input: JSON.stringify(manifest, null, 2),
    };
  } catch (error) {
    source.failed(error);
    throw error;
  }
}

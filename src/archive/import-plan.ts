import { z } from "zod";
import type { ImportedNoteValues } from "../db/queries/imports";
import { IMPORT_LIMITS, MAX_ATTACHMENTS_PER_NOTE } from "../db/schema";
import { sanitizeFilename } from "../lib/filename";
import { type FieldError, Problem, problemType } from "../lib/problem";
import { CreateNotebookSchema } from "../routes/notebooks/notebook.schemas";
import { CreateNoteSchema } from "../routes/notes/note.schemas";
import { FrontMatterError } from "./front-matter";
import { MANIFEST_PATH, resolvePath } from "./layout";
import { type Manifest, type ManifestEntry, ManifestSchema } from "./manifest";
import { readNoteFile } from "./note-file";

// What an import will do, decided before anything is written: every file read and checked, the notes
// with their notebooks and attachments, and what is skipped. A problem in any file refuses the whole
// import, naming the file (`archive/<path>`), so nothing is ever half imported.

/** A file of the archive being imported, read on demand. */
export interface ArchiveFile {
  path: string;
  size: number;
  /** The whole file (callers check `size` first). */
  bytes(): Promise<Uint8Array>;
  stream(): ReadableStream<Uint8Array>;
}

export interface PlannedAttachment {
  file: ArchiveFile;
  filename: string;
  contentType: string;
  /** From the manifest: the bytes must match it. */
  sha256: string | undefined;
  /** From the manifest. */
  createdAt: string | undefined;
}

export interface PlannedNote {
  file: ArchiveFile;
  /** What makes it the same note on the next import: the file's `id`, else its path. */
  sourceKey: string;
  /** The notebook it goes into, by name; null: loose. */
  notebook: string | null;
  attachments: PlannedAttachment[];
}

/** A note's own values, as the notes table takes them. */
export type NoteValues = ImportedNoteValues;

export interface ImportPlan {
  notes: PlannedNote[];
  skipped: string[];
  attachmentBytes: number;
}

const MAX_REPORTED_ERRORS = 20;
const NOTE_FILE = /\.(md|markdown)$/i;
/** Folders other apps keep beside notes (Obsidian's settings, macOS's resource forks): never notes. */
const HIDDEN = /(^|\/)(\.|__MACOSX\/)/;

const at = (path: string) => `archive/${path}`;

/** 422 naming each file at fault. */
export const importRefused = (errors: FieldError[]) =>
  new Problem(422, {
    type: problemType("validation"),
    detail: `${errors.length === 1 ? "A file" : "Files"} in the archive cannot be imported; see errors.`,
    extensions: { errors: errors.slice(0, MAX_REPORTED_ERRORS) },
  });

/** 413 import-too-large. */
export const importTooLarge = (detail: string) => new Problem(413, { type: problemType("import-too-large"), detail });

const { title: Title, content: Content, tags: Tags } = CreateNoteSchema.shape;
const When = z.string().refine((value) => {
  const time = Date.parse(value);
  return Number.isFinite(time) && time > Date.UTC(0, 0, 1) && time < Date.UTC(10_000, 0, 1);
}, "must be a date and time, such as 2024-01-31T09:30:00Z");

/** A note file's fields as the API takes them. Null in front matter (`tags:` with nothing after) counts as absent. */
const NoteFileSchema = z.object({
  id: z.union([z.string(), z.number()]).nullish(),
  title: Title,
  content: Content,
  tags: Tags.nullish(),
  pinned: z.boolean().nullish(),
  archived: z.boolean().nullish(),
  created: When.nullish(),
  updated: When.nullish(),
  notebook: CreateNotebookSchema.shape.name.nullish(),
  attachments: z.array(z.string()).nullish(),
});

/** What a note file says, checked; the title falls back to the file's name, the notebook to its top folder. */
function parseNoteFile(path: string, bytes: Uint8Array) {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { errors: [{ path: at(path), message: "is not UTF-8 text" }] };
  }
  let fields: ReturnType<typeof readNoteFile>;
  try {
    fields = readNoteFile(text);
  } catch (error) {
    if (!(error instanceof FrontMatterError)) throw error;
    const line = error.line === undefined ? "" : ` (line ${error.line})`;
    return { errors: [{ path: at(path), message: `front matter${line}: ${error.message}` }] };
  }
  const segments = path.split("/");
  const stem = (segments.at(-1) ?? "").replace(NOTE_FILE, "");
  const folder = segments.length > 1 ? [...(segments[0] ?? "").trim()].slice(0, 100).join("") : "";
  const parsed = NoteFileSchema.safeParse({
    ...fields,
    title: typeof fields.title === "string" ? fields.title : [...stem].slice(0, 200).join("") || "Untitled",
    // Said in the file (null: loose), else the folder it is in, as Obsidian vaults are laid out.
    notebook: fields.notebook === undefined ? folder || null : fields.notebook,
  });
  if (!parsed.success) {
    return {
      errors: parsed.error.issues.map((issue) => ({
        path: at(path),
        message: `${issue.path.join(".") || "file"}: ${issue.message}`,
      })),
    };
  }
  const note = parsed.data;
  const values: NoteValues = {
    title: note.title,
    content: note.content,
    tags: note.tags ?? [],
    pinned: note.pinned ?? false,
    archived: note.archived ?? false,
    createdAt: note.created ? new Date(note.created).toISOString() : null,
    updatedAt: note.updated ? new Date(note.updated).toISOString() : null,
  };
  return {
    values,
    sourceKey: note.id == null ? `path:${path}` : `id:${note.id}`,
    notebook: note.notebook ?? null,
    links: note.attachments ?? [],
  };
}

/** A note's values, read again from its file when the import writes it (it was checked by planImport). */
export async function readNoteValues(note: PlannedNote): Promise<NoteValues> {
  const parsed = parseNoteFile(note.file.path, await note.file.bytes());
  if (!parsed.values) throw importRefused(parsed.errors);
  return parsed.values;
}

async function readManifest(file: ArchiveFile | undefined): Promise<Manifest | undefined> {
  if (!file) return undefined;
  if (file.size > IMPORT_LIMITS.manifestBytes) throw importTooLarge(`${MANIFEST_PATH} is too large.`);
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(new TextDecoder().decode(await file.bytes())));
    if (parsed.success) return parsed.data;
  } catch {}
  throw importRefused([{ path: at(MANIFEST_PATH), message: "is not a Cloud Notes export manifest" }]);
}

interface WantedAttachment {
  /** As the note names it. */
  link: string;
  /** Where that is in the archive; undefined: outside it. */
  path: string | undefined;
  filename?: string;
  contentType?: string;
  sha256?: string;
  createdAt?: string;
}

/** A note's attachments: as the manifest lists them, else as its front matter links them. */
function attachmentsWanted(notePath: string, entry: ManifestEntry | undefined, links: string[]): WantedAttachment[] {
  if (entry) return entry.attachments.map((attachment) => ({ ...attachment, link: attachment.path }));
  return links.map((link) => ({ link, path: resolvePath(notePath, link) }));
}

/** Every file read and checked; throws the problem that names what is wrong. */
export async function planImport(files: ArchiveFile[], limits: { maxAttachmentBytes: number }): Promise<ImportPlan> {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const manifest = await readManifest(byPath.get(MANIFEST_PATH));
  const described = new Map<string, ManifestEntry>(manifest?.notes.map((entry) => [entry.path, entry]) ?? []);
  const noteFiles = files.filter((file) => NOTE_FILE.test(file.path) && !HIDDEN.test(file.path));
  if (noteFiles.length > IMPORT_LIMITS.notes) {
    throw importTooLarge(`An import holds at most ${IMPORT_LIMITS.notes} notes; this one has ${noteFiles.length}.`);
  }

  const errors: FieldError[] = [];
  const notes: PlannedNote[] = [];
  const used = new Set<string>([MANIFEST_PATH]);
  const sources = new Map<string, string>();
  let attachmentBytes = 0;
  for (const file of noteFiles) {
    if (errors.length >= MAX_REPORTED_ERRORS) break;
    used.add(file.path);
    if (file.size > IMPORT_LIMITS.noteFileBytes) {
      errors.push({ path: at(file.path), message: "is larger than a note can hold" });
      continue;
    }
    const parsed = parseNoteFile(file.path, await file.bytes());
    if (!parsed.values) {
      errors.push(...parsed.errors);
      continue;
    }
    const twin = sources.get(parsed.sourceKey);
    if (twin !== undefined) {
      errors.push({ path: at(file.path), message: `has the same id as ${twin}` });
      continue;
    }
    sources.set(parsed.sourceKey, file.path);

    const wanted = attachmentsWanted(file.path, described.get(file.path), parsed.links);
    if (wanted.length > MAX_ATTACHMENTS_PER_NOTE) {
      errors.push({ path: at(file.path), message: `has more than ${MAX_ATTACHMENTS_PER_NOTE} attachments` });
      continue;
    }
    const attachments: PlannedAttachment[] = [];
    for (const attachment of wanted) {
      const found = attachment.path === undefined ? undefined : byPath.get(attachment.path);
      if (!found || found.path.endsWith("/")) {
        errors.push({ path: at(file.path), message: `attachments: ${attachment.link} is not in the archive` });
        continue;
      }
      if (found.size > limits.maxAttachmentBytes) {
        throw new Problem(413, {
          type: problemType("attachment-too-large"),
          detail: `${found.path} is larger than an attachment may be (${limits.maxAttachmentBytes} bytes).`,
          extensions: { errors: [{ path: at(found.path), message: "is larger than an attachment may be" }] },
        });
      }
      used.add(found.path);
      attachmentBytes += found.size;
      attachments.push({
        file: found,
        filename: sanitizeFilename(attachment.filename ?? found.path) ?? "attachment",
        contentType: attachment.contentType ?? "application/octet-stream",
        sha256: attachment.sha256,
        createdAt: attachment.createdAt,
      });
    }
    notes.push({ file, sourceKey: parsed.sourceKey, notebook: parsed.notebook, attachments });
  }
  if (errors.length > 0) throw importRefused(errors);
  const skipped = files.filter((file) => !used.has(file.path) && !file.path.endsWith("/")).map((file) => file.path);
  return { notes, skipped, attachmentBytes };
}

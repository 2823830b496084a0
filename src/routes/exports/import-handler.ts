import {
  type ArchiveFile,
  importRefused,
  importTooLarge,
  type PlannedNote,
  planImport,
  readNoteValues,
} from "../../archive/import-plan";
import { r2Archive } from "../../archive/r2-archive";
import {
  type ArchiveSource,
  openZipEntry,
  readZipDirectory,
  readZipEntry,
  ZipFormatError,
} from "../../archive/zip-reader";
import { inTransaction } from "../../db/client";
import * as queries from "../../db/queries/imports";
import { IMPORT_LIMITS } from "../../db/schema";
import { derivedId } from "../../lib/derived-id";
import { requestLogger } from "../../lib/log";
import { normalizeMediaType } from "../../lib/media-type";
import { insufficientScope, Problem, storageQuotaExceeded } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { incompleteUpload } from "../../storage/measure";
import { storeKnownLength, storeUnknownLength } from "../../storage/store-object";
import { valueOrThrow } from "../outcome";
import type { ImportReport } from "./export.schemas";
import type * as routes from "./exports.routes";

type ImportContext = Parameters<AppRouteHandler<typeof routes.importNotes>>[0];

const ZIP_TYPES = new Set(["application/zip", "application/x-zip-compressed"]);
const MARKDOWN_TYPES = new Set(["text/markdown", "text/x-markdown", "text/plain"]);
/** One transaction writes every note: longer than one statement's limit, far below the Workers' wall time. */
const IMPORT_TRANSACTION_MS = 60_000;
/** Notes per insert: a statement's parameter holds at most this many contents. */
const NOTES_PER_STATEMENT = 100;

const asImport = {
  noun: "notebook",
  missing: () => "No notebook with this id.",
};

/** POST /v1/import: the plan (every file checked), the attachments' bytes, then one transaction. */
export async function importArchive(c: ImportContext): Promise<ImportReport> {
  const mediaType = normalizeMediaType(c.req.header("Content-Type"));
  if (MARKDOWN_TYPES.has(mediaType)) return importFiles(c, [await markdownFile(c)]);
  if (!ZIP_TYPES.has(mediaType)) {
    throw new Problem(415, { detail: "Send a zip (application/zip) or one Markdown file (text/markdown)." });
  }
  return withStagedZip(c, async (source) => importFiles(c, await zipFiles(source)));
}

/** A single Markdown file sent as the body, read whole (it is one note's size at most). */
async function markdownFile(c: ImportContext): Promise<ArchiveFile> {
  const reader = (c.req.raw.body ?? new Blob().stream()).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    size += next.value.byteLength;
    if (size > IMPORT_LIMITS.noteFileBytes) {
      await reader.cancel();
      throw importTooLarge("A Markdown file may be at most as large as a note can hold.");
    }
    chunks.push(next.value);
  }
  const bytes = await new Blob(chunks).bytes();
  const name = c.req.valid("query").filename?.replaceAll("/", "_") ?? "Imported note.md";
  const path = /\.(md|markdown)$/i.test(name) ? name : `${name}.md`;
  return { path, size, bytes: async () => bytes, stream: () => new Blob([bytes]).stream() };
}

/**
 * The zip goes to R2 first, streamed, so it is read by range (its directory is at its end) without being
 * held in memory; it is deleted once the import is done, and the outbox's reservation removes it within
 * the hour should even that fail.
 */
async function withStagedZip<T>(c: ImportContext, work: (source: ArchiveSource) => Promise<T>): Promise<T> {
  const { config, db, caller } = c.var;
  const bucket = c.env.ATTACHMENTS;
  const maxBytes = config.MAX_IMPORT_BYTES;
  const tooLarge = () => importTooLarge(`An import may be at most ${maxBytes} bytes.`);
  const declared = c.req.header("Content-Length");
  const length = declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : undefined;
  if (length !== undefined && length > maxBytes) throw tooLarge();

  const key = `imports/${caller.userId}/${crypto.randomUUID()}`;
  valueOrThrow(await queries.reserveObjects(db, caller, [key]), asImport);
  try {
    const body = c.req.raw.body ?? new Blob().stream();
    const options = { maxBytes, contentType: "application/zip" };
    const stored = await (length === undefined
      ? storeUnknownLength(bucket, key, body, options)
      : storeKnownLength(bucket, key, body, length, options)
    ).catch((error: unknown) => {
      throw error instanceof Problem && error.status === 413 ? tooLarge() : error;
    });
    return await work(r2Archive(bucket, key, stored.size));
  } finally {
    c.executionCtx.waitUntil(
      bucket
        .delete(key)
        .then(() => queries.releaseObjects(db, [key]))
        .catch((error) => requestLogger(c).error("import: removing the uploaded zip failed; the sweep will", error)),
    );
  }
}

async function zipFiles(source: ArchiveSource): Promise<ArchiveFile[]> {
  try {
    const entries = await readZipDirectory(source, {
      maxEntries: IMPORT_LIMITS.entries,
      maxDirectoryBytes: IMPORT_LIMITS.directoryBytes,
    });
    return entries
      .filter((entry) => !entry.directory)
      .map((entry) => ({
        path: entry.name,
        size: entry.size,
        bytes: () => readZipEntry(source, entry, entry.size).catch(refuseUnreadable),
        stream: () => openZipEntry(source, entry),
      }));
  } catch (error) {
    return refuseUnreadable(error);
  }
}

/** A zip that cannot be read is the client's to fix: 422 naming the file, or the archive itself. */
function refuseUnreadable(error: unknown): never {
  if (!(error instanceof ZipFormatError)) throw error;
  if (error.tooMany) throw importTooLarge(error.message);
  throw importRefused([{ path: error.entry ? `archive/${error.entry}` : "body", message: error.message }]);
}

async function importFiles(c: ImportContext, files: ArchiveFile[]): Promise<ImportReport> {
  const { config, db, caller } = c.var;
  const plan = await planImport(files, { maxAttachmentBytes: config.MAX_ATTACHMENT_BYTES });
  const hasAttachments = plan.notes.some((note) => note.attachments.length > 0);
  if (hasAttachments && caller.kind === "token" && !caller.scopes.includes("attachments:write")) {
    throw insufficientScope("attachments:write");
  }

  const ids = await Promise.all(plan.notes.map((note) => derivedId("import", caller.userId, note.sourceKey)));
  const before = await queries.importedBefore(db, caller, ids);
  const fresh = plan.notes.flatMap((note, index) =>
    before.has(ids[index] ?? "") ? [] : [{ note, id: ids[index] ?? "" }],
  );
  const copies = await copyAttachments(c, fresh);
  let written: Set<string>;
  try {
    written = await writeNotes(c, fresh, copies);
  } catch (error) {
    discardCopies(
      c,
      [...copies.values()].flat().map((copy) => copy.objectKey),
    );
    throw error;
  }
  // Notes another request imported meanwhile: their copies are surplus.
  discardCopies(
    c,
    fresh
      .filter(({ id }) => !written.has(id))
      .flatMap(({ id }) => (copies.get(id) ?? []).map((copy) => copy.objectKey)),
  );
  const notes = plan.notes.map((note, index) => {
    const id = ids[index] ?? "";
    return { file: note.file.path, id, status: written.has(id) ? ("created" as const) : ("unchanged" as const) };
  });
  return {
    created: written.size,
    unchanged: notes.length - written.size,
    notes,
    skipped: plan.skipped.slice(0, IMPORT_LIMITS.reportedSkips),
  };
}

/** Each new note's attachments, copied out of the archive into objects of their own (reserved first). */
async function copyAttachments(c: ImportContext, fresh: { note: PlannedNote; id: string }[]) {
  const { db, caller } = c.var;
  const bucket = c.env.ATTACHMENTS;
  const planned = fresh.flatMap(({ note, id }) =>
    note.attachments.map((attachment, position) => ({
      attachment,
      position,
      noteId: id,
      objectKey: `users/${caller.userId}/${crypto.randomUUID()}`,
    })),
  );
  const copies = new Map<string, queries.ImportedAttachmentRow[]>();
  if (planned.length === 0) return copies;
  valueOrThrow(
    await queries.reserveObjects(
      db,
      caller,
      planned.map((copy) => copy.objectKey),
    ),
    asImport,
  );
  try {
    for (const { attachment, position, noteId, objectKey } of planned) {
      const { file } = attachment;
      const options = { maxBytes: file.size, contentType: attachment.contentType };
      const stored = await storeKnownLength(bucket, objectKey, file.stream(), file.size, options).catch(
        (error: unknown) => {
          throw error instanceof Problem && error.type === incompleteUpload().type
            ? importRefused([{ path: `archive/${file.path}`, message: "could not be read from the archive" }])
            : error;
        },
      );
      if (attachment.sha256 !== undefined && attachment.sha256 !== stored.sha256) {
        throw importRefused([{ path: `archive/${file.path}`, message: "does not match its SHA-256 in the manifest" }]);
      }
      const { filename, contentType, createdAt = null } = attachment;
      const row = { noteId, filename, contentType, objectKey, createdAt, position, ...stored };
      copies.set(noteId, [...(copies.get(noteId) ?? []), row]);
    }
  } catch (error) {
    discardCopies(
      c,
      planned.map((copy) => copy.objectKey),
    );
    throw error;
  }
  return copies;
}

/** One transaction: where the notes go and the quota, then the notes and their attachments' rows. */
function writeNotes(
  c: ImportContext,
  fresh: { note: PlannedNote; id: string }[],
  copies: Map<string, queries.ImportedAttachmentRow[]>,
): Promise<Set<string>> {
  const { config, caller } = c.var;
  const target = c.req.valid("query").notebookId ?? null;
  const newBytes = [...copies.values()].flat().reduce((sum, copy) => sum + copy.size, 0);
  return inTransaction(
    config,
    c.executionCtx,
    async (tx) => {
      const { quotaOwner } = valueOrThrow(
        await queries.lockImportTarget(tx, caller, target, newBytes, config.USER_STORAGE_QUOTA_BYTES),
        { ...asImport, refused: () => storageQuotaExceeded(config.USER_STORAGE_QUOTA_BYTES) },
      );
      const names = target ? [] : fresh.flatMap(({ note }) => (note.notebook === null ? [] : [note.notebook]));
      const notebooks = await queries.notebooksNamed(tx, caller.userId, names);
      const written = new Set<string>();
      for (let start = 0; start < fresh.length; start += NOTES_PER_STATEMENT) {
        const chunk = fresh.slice(start, start + NOTES_PER_STATEMENT);
        const rows = await Promise.all(
          chunk.map(async ({ note, id }) => ({
            id,
            notebookId: target ?? (note.notebook === null ? null : (notebooks.get(note.notebook) ?? null)),
            ...(await readNoteValues(note)),
          })),
        );
        const files = chunk.flatMap(({ id }) => copies.get(id) ?? []);
        for (const id of await queries.insertImportedNotes(tx, caller.userId, quotaOwner, rows, files)) written.add(id);
      }
      return written;
    },
    { deadlineMs: Math.max(config.DATABASE_TIMEOUT_MS, IMPORT_TRANSACTION_MS) },
  );
}

/** Objects no row will name: deleted after the answer; their reservations let the sweep finish the job. */
function discardCopies(c: ImportContext, keys: string[]) {
  if (keys.length === 0) return;
  const bucket = c.env.ATTACHMENTS;
  c.executionCtx.waitUntil(
    (async () => {
      for (let start = 0; start < keys.length; start += 1000) {
        const batch = keys.slice(start, start + 1000);
        await bucket.delete(batch);
        await queries.releaseObjects(c.var.db, batch);
      }
    })().catch((error) => requestLogger(c).error("import: removing copied attachments failed; the sweep will", error)),
  );
}

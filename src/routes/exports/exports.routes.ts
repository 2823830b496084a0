import { IMPORT_LIMITS } from "../../db/schema";
import { header, problem, problems } from "../../lib/openapi";
import { signedInRoute } from "../contracts";
import { ExportQuery, ImportQuery, ImportReportSchema } from "./export.schemas";

const zipBytes = { contentMediaType: "application/zip" };

export const exportNotes = signedInRoute(
  {
    operationId: "exportNotes",
    method: "get",
    path: "/v1/export",
    tags: ["Export"],
    summary: "Every note you can read, as a zip of Markdown files with their attachments",
    description:
      "A folder of Markdown that Obsidian and Joplin open as it is: one file per note with YAML front matter " +
      "(id, title, tags, notebook, visibility, pinned, archived, created, updated, and links to its attachments), " +
      "your loose notes at the top and a folder per notebook, attachments under `_attachments/<note id>/`, and " +
      "`manifest.json` listing it all. Archived notes are in it, the trash is not. The zip is streamed as it is " +
      "written (no Content-Length): a failure midway cuts it short without its central directory, so unzip tools " +
      "refuse it rather than show part of it. An API token without `attachments:read` exports the notes alone. `curl -H 'Authorization: Bearer …' -o notes.zip …/v1/export`.",
    request: { query: ExportQuery },
    responses: {
      200: {
        description: "The zip",
        headers: {
          "Content-Disposition": header("Content-Disposition", { required: true }),
          "Cache-Control": header("Cache-Control", { required: true, description: "`private, no-cache`" }),
        },
        content: { "application/zip": { schema: zipBytes } },
      },
      ...problems(404),
    },
  },
  { scope: "notes:read" },
);

export const importNotes = signedInRoute(
  {
    operationId: "importNotes",
    method: "post",
    path: "/v1/import",
    tags: ["Export"],
    summary: "Bring notes back: an export's zip, a zip of Markdown files, or one Markdown file",
    description:
      "Each Markdown file becomes a note: its front matter gives title (else the file's name), tags, pinned, " +
      "archived, created, updated and notebook (else the top folder it is in); the rest is its content. A note " +
      "goes into your own notebook of that name, made when you have none, or into `notebookId` when given; " +
      "imported notes are private. Its attachments come from `manifest.json`, or the front matter's " +
      "`attachments` links. Other files are skipped and named in the answer.\n\n" +
      "**Idempotent by note:** a note's id is made from you and the file's `id` (else its path), so importing the " +
      "same archive again creates nothing twice (`unchanged`); Idempotency-Key replays the answer too.\n\n" +
      "**All or nothing:** every file is checked before anything is written, and the notes are written in one " +
      "transaction. A failure leaves no note and no attachment row; bytes already copied are deleted at once, or " +
      "by the scheduled sweep within the hour if even that fails, and the uploaded zip likewise.\n\n" +
      `**Bounds:** the zip up to MAX_IMPORT_BYTES (100 MB by default), ${IMPORT_LIMITS.entries} files, ` +
      `${IMPORT_LIMITS.notes} notes; each attachment up to MAX_ATTACHMENT_BYTES and your storage quota. A 413 or ` +
      "422 names the file at fault (`errors[].path` is `archive/<file>`). An API token needs `attachments:write` " +
      "besides for an archive with attachments.",
    request: {
      query: ImportQuery,
      body: {
        required: true,
        description: "The zip (`application/zip`), or one Markdown file (`text/markdown`)",
        content: {
          "application/zip": { schema: zipBytes },
          "text/markdown": { schema: { type: "string" as const } },
        },
      },
    },
    responses: {
      200: {
        description: "What became of each file",
        content: { "application/json": { schema: ImportReportSchema } },
      },
      400: problem(400, { description: "The body ended before its Content-Length" }),
      ...problems(411, 415),
      413: problem(413, {
        description:
          "The zip is larger than MAX_IMPORT_BYTES or holds too many files (import-too-large), a file in it is " +
          "larger than MAX_ATTACHMENT_BYTES (attachment-too-large), or its attachments would pass your storage " +
          "quota (storage-quota); `errors` names the file when one is at fault",
      }),
      422: problem(422, {
        description:
          "A file in the archive cannot be imported (`errors[].path` names it: not a zip, front matter that does " +
          "not parse, a title or tags the API refuses, a missing attachment, bytes that do not match the manifest), " +
          "or the Idempotency-Key was used with another request",
      }),
      503: problem(503, { description: "The database or the file store is unreachable; retry after Retry-After" }),
    },
  },
  { scope: "notes:write" },
);

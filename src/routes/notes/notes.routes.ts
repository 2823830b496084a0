import { headers, problem, problems } from "../../lib/openapi";
import { IfNoneMatchHeader, ifMatchHeader } from "../../lib/schemas";
import { signedInRoute } from "../contracts";
import {
  CreateNoteSchema,
  ListNotesQuery,
  NoteIdParam,
  NotePageSchema,
  NoteSchema,
  UpdateNoteSchema,
} from "./note.schemas";

// Room for the largest note: 100,000 characters of up to 4 bytes each in UTF-8, plus JSON escaping.
const NOTE_BODY_BYTES = 1024 * 1024;

const noteJson = { "application/json": { schema: NoteSchema } };
const ifMatch = ifMatchHeader("note");

export const createNote = signedInRoute(
  {
    operationId: "createNote",
    method: "post",
    path: "/v1/notes",
    tags: ["Notes"],
    summary: "Create a note",
    request: { body: { content: { "application/json": { schema: CreateNoteSchema } }, required: true } },
    responses: { 201: { description: "Created", content: noteJson, headers: headers("ETag") } },
  },
  { scope: "notes:write", maxBodyBytes: NOTE_BODY_BYTES, permission: "note.create" },
);

export const listNotes = signedInRoute(
  {
    operationId: "listNotes",
    method: "get",
    path: "/v1/notes",
    tags: ["Notes"],
    summary: "Every note the caller can read, newest first, or by relevance with q",
    description:
      "Loose notes of the caller's own and the notes of every notebook they belong to, each with the caller's `role`. " +
      "`notebookId` naming a notebook the caller is not in gives an empty page.",
    request: { query: ListNotesQuery },
    responses: { 200: { description: "A page", content: { "application/json": { schema: NotePageSchema } } } },
  },
  { scope: "notes:read" },
);

export const getNote = signedInRoute(
  {
    operationId: "getNote",
    method: "get",
    path: "/v1/notes/{id}",
    tags: ["Notes"],
    summary: "One note",
    request: { params: NoteIdParam, headers: IfNoneMatchHeader },
    responses: {
      200: { description: "The note", content: noteJson, headers: headers("ETag") },
      304: { description: "Not modified since the ETag in If-None-Match", headers: headers("ETag") },
    },
  },
  { scope: "notes:read", permission: "note.read" },
);

export const updateNote = signedInRoute(
  {
    operationId: "updateNote",
    method: "patch",
    path: "/v1/notes/{id}",
    tags: ["Notes"],
    summary: "Change some fields of a note",
    description:
      "A move (`notebookId`) needs the note's rule where it is and note.create's where it goes; only the note's " +
      "own owner may make it loose (`notebookId: null`). Every field given is applied in one statement, or none is.",
    request: {
      params: NoteIdParam,
      headers: ifMatch,
      body: { content: { "application/json": { schema: UpdateNoteSchema } }, required: true },
    },
    responses: {
      200: { description: "The updated note", content: noteJson, headers: headers("ETag") },
      ...problems(412),
      413: problem(413, {
        description:
          "Request body too large, or a move would take the note's attachments past the storage quota of " +
          "whoever pays at the destination (storage-quota)",
      }),
    },
  },
  {
    scope: "notes:write",
    maxBodyBytes: NOTE_BODY_BYTES,
    permission: { action: "note.edit", fields: { notebookId: "note.create", visibility: "note.publish" } },
  },
);

export const deleteNote = signedInRoute(
  {
    operationId: "deleteNote",
    method: "delete",
    path: "/v1/notes/{id}",
    tags: ["Notes"],
    summary: "Move a note to the trash",
    description:
      "It leaves every list, search, the public feed and its share links, and reads, edits and downloads answer " +
      "404, until it is restored from /v1/trash. The sweep purges it, attachments' bytes included, after " +
      "TRASH_RETENTION_DAYS (30); its bytes count against the quota until then.",
    request: { params: NoteIdParam, headers: ifMatch },
    responses: { 204: { description: "In the trash" }, ...problems(412) },
  },
  { scope: "notes:write", permission: "note.trash" },
);

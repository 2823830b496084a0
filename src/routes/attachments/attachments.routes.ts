import { problems } from "../../lib/openapi";
import { signedInRoute } from "../contracts";
import { NoteIdParam } from "../notes/note.schemas";
import { AttachmentListSchema, AttachmentParams, AttachmentSchema, UploadQuery } from "./attachment.schemas";

// Plain OpenAPI schemas, not zod: zod-openapi would parse (and buffer) a form body it can validate,
// and these bodies are streamed by the handlers.
const binary = { type: "string" as const, format: "binary" };
const uploadBody = {
  content: {
    "application/octet-stream": { schema: binary },
    "multipart/form-data": { schema: { type: "object" as const, properties: { file: binary }, required: ["file"] } },
  },
  description: "The file as the raw body (any Content-Type; Content-Length required), or a form with a `file` field",
};
const attachmentJson = { "application/json": { schema: AttachmentSchema } };

export const uploadAttachment = signedInRoute(
  {
    method: "post",
    path: "/v1/notes/{id}/attachments",
    tags: ["Attachments"],
    summary: "Attach a file to a note",
    description:
      "Bytes count against the storage quota of the note's notebook's owner (for a loose note, its owner's): " +
      "413 `urn:cloud-notes:problem:storage-quota` past it.",
    request: { params: NoteIdParam, query: UploadQuery, body: uploadBody },
    responses: {
      201: { description: "Stored; Location points at the bytes", content: attachmentJson },
      ...problems(400, 401, 404, 409, 411, 413, 422),
    },
  },
  { role: { least: "editor", on: "note" } },
);

export const listAttachments = signedInRoute(
  {
    method: "get",
    path: "/v1/notes/{id}/attachments",
    tags: ["Attachments"],
    summary: "A note's attachments, oldest first",
    request: { params: NoteIdParam },
    responses: {
      200: { description: "The attachments", content: { "application/json": { schema: AttachmentListSchema } } },
      ...problems(401, 404),
    },
  },
  { role: { least: "viewer", on: "note" } },
);

export const downloadAttachment = signedInRoute(
  {
    method: "get",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "The bytes (streamed; Range and If-None-Match honoured)",
    request: { params: AttachmentParams },
    responses: {
      200: { description: "The whole file", content: { "application/octet-stream": { schema: binary } } },
      206: { description: "The requested range", content: { "application/octet-stream": { schema: binary } } },
      304: { description: "Not modified" },
      ...problems(401, 404, 416),
    },
  },
  { role: { least: "viewer", on: "note" } },
);

export const replaceAttachment = signedInRoute(
  {
    method: "put",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "Replace the bytes; downloads see the old file or the new one, never a mix",
    request: { params: AttachmentParams, query: UploadQuery, body: uploadBody },
    responses: {
      200: { description: "The attachment with its new bytes", content: attachmentJson },
      ...problems(400, 401, 404, 411, 413, 422),
    },
  },
  { role: { least: "editor", on: "note" } },
);

export const deleteAttachment = signedInRoute(
  {
    method: "delete",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "Delete an attachment and its bytes",
    request: { params: AttachmentParams },
    responses: { 204: { description: "Deleted" }, ...problems(401, 404) },
  },
  { role: { least: "editor", on: "note" } },
);

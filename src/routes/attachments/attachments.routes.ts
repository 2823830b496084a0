import { MAX_ATTACHMENTS_PER_NOTE } from "../../db/schema";
import { problem, problems } from "../../lib/openapi";
import { downloadResponses, uploadBody } from "../../lib/openapi-files";
import { DownloadHeaders } from "../../lib/schemas";
import { signedInRoute } from "../contracts";
import { NoteIdParam } from "../notes/note.schemas";
import { AttachmentListSchema, AttachmentParams, AttachmentSchema, UploadQuery } from "./attachment.schemas";

const attachmentJson = { "application/json": { schema: AttachmentSchema } };

/** What an upload can run into besides the common answers (src/storage/incoming-upload.ts). */
const uploadProblems = {
  400: problem(400, { description: "A broken multipart body, or an upload that ended before its bytes arrived" }),
  ...problems(411),
  413: problem(413, {
    description:
      "The file is larger than MAX_ATTACHMENT_BYTES (attachment-too-large), or it would pass the storage " +
      "quota of whoever pays for it (storage-quota)",
  }),
  503: problem(503, { description: "The database or the file store is unreachable; retry after Retry-After" }),
};

export const uploadAttachment = signedInRoute(
  {
    operationId: "uploadAttachment",
    method: "post",
    path: "/v1/notes/{id}/attachments",
    tags: ["Attachments"],
    summary: "Attach a file to a note",
    description:
      "Bytes count against the storage quota of the note's notebook's owner (for a loose note, its owner's): " +
      "413 `urn:cloud-notes:problem:storage-quota` past it. A note holds at most " +
      `${MAX_ATTACHMENTS_PER_NOTE} attachments (409 \`attachment-limit\`).`,
    request: { params: NoteIdParam, query: UploadQuery, body: uploadBody },
    responses: {
      201: { description: "Stored; Location points at the bytes", content: attachmentJson },
      ...uploadProblems,
    },
  },
  { scope: "attachments:write", permission: "attachment.upload" },
);

export const listAttachments = signedInRoute(
  {
    operationId: "listAttachments",
    method: "get",
    path: "/v1/notes/{id}/attachments",
    tags: ["Attachments"],
    summary: "A note's attachments, oldest first",
    request: { params: NoteIdParam },
    responses: {
      200: { description: "The attachments", content: { "application/json": { schema: AttachmentListSchema } } },
    },
  },
  { scope: "attachments:read", permission: "attachment.read" },
);

export const downloadAttachment = signedInRoute(
  {
    operationId: "downloadAttachment",
    method: "get",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "The bytes (streamed; Range and If-None-Match honoured)",
    request: { params: AttachmentParams, headers: DownloadHeaders },
    responses: downloadResponses("`private, no-cache`: only your own cache keeps it, and revalidates"),
  },
  { scope: "attachments:read", permission: "attachment.read" },
);

export const replaceAttachment = signedInRoute(
  {
    operationId: "replaceAttachment",
    method: "put",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "Replace the bytes; downloads see the old file or the new one, never a mix",
    request: { params: AttachmentParams, query: UploadQuery, body: uploadBody },
    responses: {
      200: { description: "The attachment with its new bytes", content: attachmentJson },
      ...uploadProblems,
    },
  },
  { scope: "attachments:write", permission: "attachment.upload" },
);

export const deleteAttachment = signedInRoute(
  {
    operationId: "deleteAttachment",
    method: "delete",
    path: "/v1/notes/{id}/attachments/{attachmentId}",
    tags: ["Attachments"],
    summary: "Delete an attachment and its bytes",
    request: { params: AttachmentParams },
    responses: { 204: { description: "Deleted" } },
  },
  { scope: "attachments:write", permission: "attachment.delete" },
);

import { SHARE_LINK_LIMITS } from "../../db/schema";
import { header, problem } from "../../lib/openapi";
import { downloadResponses } from "../../lib/openapi-files";
import { DownloadHeaders } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { openRoute, signedInRoute } from "../contracts";
import { NoteIdParam } from "../notes/note.schemas";
import {
  CreateShareLinkSchema,
  NewShareLinkSchema,
  SharedAttachmentParams,
  SharedNoteSchema,
  SharedParam,
  ShareLinkListSchema,
  ShareLinkParams,
  ShareLinkSchema,
} from "./share-link.schemas";

const tags = ["Share links"];
/** What a link's reader gets with every answer, 404s included (share-links.handlers.ts PRIVATE_LINK). */
const privateLink = {
  "X-Robots-Tag": header("X-Robots-Tag", { required: true }),
  "Referrer-Policy": header("Referrer-Policy", { required: true }),
};
const noStore = header("Cache-Control", { required: true, description: "`no-store`: a revoked link stops at once" });
const unknownLink = (what: string) =>
  problem(404, {
    description: `An unknown, revoked or expired token, or no such ${what}: the same answer`,
    headers: { "Cache-Control": noStore, ...privateLink },
  });

export const createShareLink = signedInRoute(
  {
    operationId: "createShareLink",
    method: "post",
    path: "/v1/notes/{id}/share-links",
    tags,
    summary: "Make a secret link anyone can read the note with, without an account",
    description:
      "The token is in the answer only: the server keeps its SHA-256. Without `expiresAt` the link works until " +
      `revoked. 409 \`urn:cloud-notes:problem:share-link-limit\`: the note has ${SHARE_LINK_LIMITS.activePerNote} live links already.`,
    request: {
      params: NoteIdParam,
      body: { content: { "application/json": { schema: CreateShareLinkSchema } }, required: false },
    },
    responses: {
      201: {
        description: "Created; Location points at the link",
        content: { "application/json": { schema: NewShareLinkSchema } },
        headers: {
          "Cache-Control": header("Cache-Control", {
            required: true,
            description: "`no-store`: the token is in this answer only",
          }),
        },
      },
    },
  },
  // A replay would have to keep the token, which is stored nowhere but in this one answer: a retry
  // makes a second link (the first can be revoked), as with OAuth tokens.
  { scope: "notes:write", maxBodyBytes: SMALL_BODY_BYTES, permission: "note.share", ignoresIdempotencyKey: true },
);

export const listShareLinks = signedInRoute(
  {
    operationId: "listShareLinks",
    method: "get",
    path: "/v1/notes/{id}/share-links",
    tags,
    summary: "The note's live share links (neither revoked nor expired), newest first, without their tokens",
    request: { params: NoteIdParam },
    responses: {
      200: { description: "Every live link", content: { "application/json": { schema: ShareLinkListSchema } } },
    },
  },
  { scope: "notes:read", permission: "note.share" },
);

export const getShareLink = signedInRoute(
  {
    operationId: "getShareLink",
    method: "get",
    path: "/v1/notes/{id}/share-links/{linkId}",
    tags,
    summary: "One live share link (where a new link's Location points), without its token",
    request: { params: ShareLinkParams },
    responses: {
      200: { description: "The link", content: { "application/json": { schema: ShareLinkSchema } } },
    },
  },
  { scope: "notes:read", permission: "note.share" },
);

export const deleteShareLink = signedInRoute(
  {
    operationId: "deleteShareLink",
    method: "delete",
    path: "/v1/notes/{id}/share-links/{linkId}",
    tags,
    summary: "Revoke a share link: its token stops working at once",
    request: { params: ShareLinkParams },
    responses: { 204: { description: "Revoked" } },
  },
  { scope: "notes:write", permission: "note.share" },
);

export const readSharedNote = openRoute({
  operationId: "readSharedNote",
  method: "get",
  path: "/v1/shared/{token}",
  tags,
  summary: "The note a share link opens, read-only; no sign-in",
  description: "An unknown, revoked or expired token answers the same 404. Never stored by any cache.",
  request: { params: SharedParam },
  responses: {
    200: {
      description: "The note and its attachments",
      content: { "application/json": { schema: SharedNoteSchema } },
      headers: { "Cache-Control": noStore, ...privateLink },
    },
    404: unknownLink("note"),
  },
});

export const downloadSharedAttachment = openRoute({
  operationId: "downloadSharedAttachment",
  method: "get",
  path: "/v1/shared/{token}/attachments/{attachmentId}",
  tags,
  summary: "An attachment's bytes through a share link (streamed; Range and If-None-Match honoured); no sign-in",
  request: { params: SharedAttachmentParams, headers: DownloadHeaders },
  responses: {
    ...downloadResponses("`no-store`: a revoked link stops at once", privateLink),
    404: unknownLink("attachment"),
  },
});

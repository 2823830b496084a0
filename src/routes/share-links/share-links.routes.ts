import { SHARE_LINK_LIMITS } from "../../db/schema";
import { problems } from "../../lib/openapi";
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
/** Who may share a note by link is who may publish it (canPublish). */
const publisher = {
  least: "owner",
  on: "note",
  also: "or the note's own author while an editor of its notebook",
} as const;
const binary = { type: "string" as const, format: "binary" };
const sharedHeaders = {
  "Cache-Control": { schema: { type: "string" as const }, description: "no-store: a revoked link stops at once" },
  "X-Robots-Tag": { schema: { type: "string" as const }, description: "noindex" },
};

export const createShareLink = signedInRoute(
  {
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
      },
      ...problems(400, 401, 409, 413, 415, 422),
    },
  },
  // A replay would have to keep the token, which is stored nowhere but in this one answer: a retry
  // makes a second link (the first can be revoked), as with OAuth tokens.
  { maxBodyBytes: SMALL_BODY_BYTES, role: publisher, ignoresIdempotencyKey: true },
);

export const listShareLinks = signedInRoute(
  {
    method: "get",
    path: "/v1/notes/{id}/share-links",
    tags,
    summary: "The note's live share links (neither revoked nor expired), newest first, without their tokens",
    request: { params: NoteIdParam },
    responses: {
      200: { description: "Every live link", content: { "application/json": { schema: ShareLinkListSchema } } },
      ...problems(401),
    },
  },
  { role: publisher },
);

export const getShareLink = signedInRoute(
  {
    method: "get",
    path: "/v1/notes/{id}/share-links/{linkId}",
    tags,
    summary: "One live share link (where a new link's Location points), without its token",
    request: { params: ShareLinkParams },
    responses: {
      200: { description: "The link", content: { "application/json": { schema: ShareLinkSchema } } },
      ...problems(401),
    },
  },
  { role: publisher },
);

export const deleteShareLink = signedInRoute(
  {
    method: "delete",
    path: "/v1/notes/{id}/share-links/{linkId}",
    tags,
    summary: "Revoke a share link: its token stops working at once",
    request: { params: ShareLinkParams },
    responses: { 204: { description: "Revoked" }, ...problems(401) },
  },
  { role: publisher },
);

export const readSharedNote = openRoute({
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
      headers: sharedHeaders,
    },
    ...problems(404),
  },
});

export const downloadSharedAttachment = openRoute({
  method: "get",
  path: "/v1/shared/{token}/attachments/{attachmentId}",
  tags,
  summary: "An attachment's bytes through a share link (streamed; Range and If-None-Match honoured); no sign-in",
  request: { params: SharedAttachmentParams },
  responses: {
    200: {
      description: "The whole file",
      content: { "application/octet-stream": { schema: binary } },
      headers: sharedHeaders,
    },
    206: { description: "The requested range", content: { "application/octet-stream": { schema: binary } } },
    304: { description: "Not modified" },
    ...problems(404, 416),
  },
});

import { problems } from "../../lib/openapi";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { rateLimitByUser } from "../../middleware/rate-limit";
import { AttachmentParams } from "../attachments/attachment.schemas";
import { openRoute, signedInRoute } from "../contracts";
import { NoteIdParam } from "../notes/note.schemas";
import {
  PublicFeedQuery,
  PublicFeedSchema,
  PublicNoteDetailSchema,
  VoteSchema,
  VoteTotalsSchema,
} from "./public-note.schemas";

const tags = ["Public notes"];
const CACHING =
  "Anonymous answers are `Cache-Control: public, s-maxage=60` with an ETag and are served from the edge cache; " +
  "with a bearer token the answer carries `myVote` and is private.";
const voteLimit = rateLimitByUser({ limiter: (env) => env.VOTE_RATE_LIMITER, scope: "vote", periodSeconds: 60 });

export const listPublicNotes = openRoute(
  {
    method: "get",
    path: "/v1/public/notes",
    tags,
    summary: "The public feed: published notes, newest or top first",
    description: `No sign-in needed. ${CACHING}`,
    request: { query: PublicFeedQuery },
    responses: {
      200: { description: "A page", content: { "application/json": { schema: PublicFeedSchema } } },
      304: { description: "Not modified since the ETag in If-None-Match" },
      ...problems(401, 422),
    },
  },
  { signInOptional: true },
);

export const getPublicNote = openRoute(
  {
    method: "get",
    path: "/v1/public/notes/{id}",
    tags,
    summary: "A published note, with its attachments' ids",
    description: `No sign-in needed; a note that is not published is 404. ${CACHING}`,
    request: { params: NoteIdParam },
    responses: {
      200: { description: "The note", content: { "application/json": { schema: PublicNoteDetailSchema } } },
      304: { description: "Not modified since the ETag in If-None-Match" },
      ...problems(401, 404),
    },
  },
  { signInOptional: true },
);

export const downloadPublicAttachment = openRoute({
  method: "get",
  path: "/v1/public/notes/{id}/attachments/{attachmentId}",
  tags,
  summary: "The bytes of a published note's attachment (same safe-download rules)",
  description:
    "No sign-in needed. `Cache-Control: public, no-cache`: caches revalidate with the ETag, so an unpublished " +
    "note's files stop at once.",
  request: { params: AttachmentParams },
  responses: {
    200: {
      description: "The bytes",
      content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
    },
    206: { description: "A byte range" },
    304: { description: "Not modified" },
    ...problems(404, 416),
  },
});

export const castVote = signedInRoute(
  {
    method: "put",
    path: "/v1/public/notes/{id}/vote",
    tags,
    summary: "Vote on a published note, or change your vote",
    description:
      "One vote per user per note. Authors cannot vote on their own notes (403 `own-note`). 60 votes a minute per user (429).",
    request: {
      params: NoteIdParam,
      body: { content: { "application/json": { schema: VoteSchema } }, required: true },
    },
    responses: {
      200: {
        description: "The totals, this vote included",
        content: { "application/json": { schema: VoteTotalsSchema } },
      },
      ...problems(400, 401, 403, 404, 413, 415, 422, 429),
    },
  },
  { maxBodyBytes: SMALL_BODY_BYTES, afterAuth: [voteLimit] },
);

export const withdrawVote = signedInRoute(
  {
    method: "delete",
    path: "/v1/public/notes/{id}/vote",
    tags,
    summary: "Take your vote back",
    request: { params: NoteIdParam },
    responses: {
      200: {
        description: "The totals without your vote",
        content: { "application/json": { schema: VoteTotalsSchema } },
      },
      ...problems(401, 404, 429),
    },
  },
  { afterAuth: [voteLimit] },
);

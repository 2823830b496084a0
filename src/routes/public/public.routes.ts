import { header, problems } from "../../lib/openapi";
import { downloadResponses } from "../../lib/openapi-files";
import { DownloadHeaders, IfNoneMatchHeader } from "../../lib/schemas";
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

/** What a public read sends: a shared cache's copy for anonymous callers, a private one otherwise. */
const cachedHeaders = {
  ETag: header("ETag", { description: "Anonymous answers: a strong validator of the body" }),
  "Cache-Control": header("Cache-Control", {
    required: true,
    description: "`public, s-maxage=60` for anonymous callers; `private, no-cache` with a bearer token",
  }),
  Vary: header("Vary", { required: true }),
};

export const listPublicNotes = openRoute(
  {
    operationId: "listPublicNotes",
    method: "get",
    path: "/v1/public/notes",
    tags,
    summary: "The public feed: published notes, newest or top first",
    description: `No sign-in needed. ${CACHING}`,
    request: { query: PublicFeedQuery, headers: IfNoneMatchHeader },
    responses: {
      200: {
        description: "A page",
        content: { "application/json": { schema: PublicFeedSchema } },
        headers: cachedHeaders,
      },
      304: { description: "Not modified since the ETag in If-None-Match", headers: cachedHeaders },
    },
  },
  { signInOptional: true },
);

export const getPublicNote = openRoute(
  {
    operationId: "getPublicNote",
    method: "get",
    path: "/v1/public/notes/{id}",
    tags,
    summary: "A published note, with its attachments' ids",
    description: `No sign-in needed; a note that is not published is 404. ${CACHING}`,
    request: { params: NoteIdParam, headers: IfNoneMatchHeader },
    responses: {
      200: {
        description: "The note",
        content: { "application/json": { schema: PublicNoteDetailSchema } },
        headers: cachedHeaders,
      },
      304: { description: "Not modified since the ETag in If-None-Match", headers: cachedHeaders },
    },
  },
  { signInOptional: true },
);

export const downloadPublicAttachment = openRoute({
  operationId: "downloadPublicAttachment",
  method: "get",
  path: "/v1/public/notes/{id}/attachments/{attachmentId}",
  tags,
  summary: "The bytes of a published note's attachment (same safe-download rules)",
  description:
    "No sign-in needed. `Cache-Control: public, no-cache`: caches revalidate with the ETag, so an unpublished " +
    "note's files stop at once.",
  request: { params: AttachmentParams, headers: DownloadHeaders },
  responses: downloadResponses("`public, no-cache`: any cache may keep it, and revalidates before each use"),
});

export const castVote = signedInRoute(
  {
    operationId: "castVote",
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
      ...problems(403, 429),
    },
  },
  { scope: "public:vote", maxBodyBytes: SMALL_BODY_BYTES, afterAuth: [voteLimit] },
);

export const withdrawVote = signedInRoute(
  {
    operationId: "withdrawVote",
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
      ...problems(429),
    },
  },
  { scope: "public:vote", afterAuth: [voteLimit] },
);

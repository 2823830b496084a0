import * as queries from "../../db/queries/share-links";
import { SHARE_LINK_LIMITS } from "../../db/schema";
import { conflict, notFound, Problem } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { hashRefreshToken, newRefreshToken } from "../../lib/tokens";
import { serveDownload } from "../../storage/serve-download";
import { valueOrThrow } from "../outcome";
import type { NewShareLink, SharedNote } from "./share-link.schemas";
import type * as routes from "./share-links.routes";

const asShareLink = {
  noun: "share link",
  missing: (what: string | undefined) =>
    what === "share link" ? "No share link with this id on this note." : "No note with this id.",
  refused: () =>
    conflict(
      `A note has at most ${SHARE_LINK_LIMITS.activePerNote} live share links; revoke one first.`,
      "share-link-limit",
    ),
};

/**
 * What a link's reader gets, answers and 404s alike: nothing kept by any cache (a revoked link stops at
 * once), the token never sent on as a Referer, and no search engine indexing a secret.
 */
const PRIVATE_LINK = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" };

/** Tokens are made like refresh tokens: 32 random bytes in base64url. Anything else opens nothing. */
const TOKEN_SHAPE = /^[\w-]{43}$/;

/** Unknown, revoked, expired and malformed tokens: one answer, so none can be told apart. */
export const noSharedNote = () => new Problem(404, { detail: "No shared note at this link.", headers: PRIVATE_LINK });
export const noSharedAttachment = () =>
  new Problem(404, { detail: "No shared attachment at this link.", headers: PRIVATE_LINK });

/** A route hook: a parameter that fails validation (a malformed token or id) answers `problem`, not 422. */
export const notFoundOnInvalid =
  (problem: () => Problem) =>
  (result: { success: boolean }): undefined => {
    if (!result.success) throw problem();
    return undefined;
  };

export const createShareLink: AppRouteHandler<typeof routes.createShareLink> = async (c) => {
  const noteId = c.req.valid("param").id;
  // The refresh tokens' generator and hash: 256 random bits for the link, only their SHA-256 stored.
  const { token, hash } = await newRefreshToken();
  const link = valueOrThrow(
    await queries.createShareLink(c.var.db, c.var.caller, noteId, {
      tokenHash: hash,
      expiresAt: c.req.valid("json").expiresAt ?? null,
    }),
    asShareLink,
  );
  const created: NewShareLink = {
    id: link.id,
    token,
    url: `${new URL(c.req.url).origin}/v1/shared/${token}`,
    expiresAt: link.expiresAt,
    createdAt: link.createdAt,
  };
  // The token is in this answer only: no cache may keep it.
  return c.json(created, 201, {
    Location: `/v1/notes/${noteId}/share-links/${link.id}`,
    "Cache-Control": "no-store",
  });
};

export const listShareLinks: AppRouteHandler<typeof routes.listShareLinks> = async (c) => {
  const items = valueOrThrow(
    await queries.listShareLinks(c.var.db, c.var.caller, c.req.valid("param").id),
    asShareLink,
  );
  return c.json({ items, nextCursor: null }, 200);
};

export const getShareLink: AppRouteHandler<typeof routes.getShareLink> = async (c) => {
  const { id, linkId } = c.req.valid("param");
  // A note's live links are few (capped), so the one asked for is picked from them: the same statement.
  const links = valueOrThrow(await queries.listShareLinks(c.var.db, c.var.caller, id), asShareLink);
  const link = links.find((candidate) => candidate.id === linkId);
  if (!link) throw notFound(asShareLink.missing("share link"));
  return c.json(link, 200);
};

export const deleteShareLink: AppRouteHandler<typeof routes.deleteShareLink> = async (c) => {
  const { id, linkId } = c.req.valid("param");
  valueOrThrow(await queries.deleteShareLink(c.var.db, c.var.caller, id, linkId), asShareLink);
  return c.body(null, 204);
};

export const readSharedNote: AppRouteHandler<typeof routes.readSharedNote> = async (c) => {
  const { token } = c.req.valid("param");
  if (!TOKEN_SHAPE.test(token)) throw noSharedNote();
  const note: SharedNote | undefined = await queries.findSharedNote(c.var.db, await hashRefreshToken(token));
  if (!note) throw noSharedNote();
  return c.json(note, 200, PRIVATE_LINK);
};

export const downloadSharedAttachment: AppRouteHandler<typeof routes.downloadSharedAttachment> = async (c) => {
  const { token, attachmentId } = c.req.valid("param");
  if (!TOKEN_SHAPE.test(token)) throw noSharedAttachment();
  const file = await queries.findSharedAttachment(c.var.db, await hashRefreshToken(token), attachmentId);
  if (!file) throw noSharedAttachment();
  const response = await serveDownload(c.req.raw, c.env.ATTACHMENTS, file, PRIVATE_LINK["Cache-Control"]);
  response.headers.set("Referrer-Policy", PRIVATE_LINK["Referrer-Policy"]);
  response.headers.set("X-Robots-Tag", PRIVATE_LINK["X-Robots-Tag"]);
  return response;
};

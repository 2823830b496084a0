import { ANONYMOUS } from "../../db/queries/caller";
import * as queries from "../../db/queries/public-notes";
import { canonicalListing, decodeCursor, keysetPage } from "../../lib/cursor";
import { cachedPublicJson, VIEWER_HEADERS } from "../../lib/edge-cache";
import { forbidden, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { serveDownload } from "../../storage/serve-download";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./public.routes";

const asPublicNote = { noun: "note", missing: () => "No published note with this id." };
// Binds cursors to this listing, so a notes cursor never verifies here.
const LISTING = { list: "public" };

export const listPublicNotes: AppRouteHandler<typeof routes.listPublicNotes> = async (c) => {
  const filters = c.req.valid("query");
  const { limit, cursor, ...listing } = filters;
  const viewer = c.var.viewer ?? ANONYMOUS;
  const produce = async () => {
    const secret = c.var.config.PASSWORD_PEPPER;
    const signing = { listing: { ...LISTING, ...listing }, secret };
    const after = cursor
      ? await decodeCursor(cursor, { ...signing, ranked: false, scored: filters.sort === "top" })
      : undefined;
    const rows = valueOrThrow(await queries.listPublicNotes(c.var.db, viewer, filters, after), asPublicNote);
    return keysetPage(rows, limit, signing);
  };
  if (viewer.kind !== "anonymous") return c.json(await produce(), 200, VIEWER_HEADERS);
  return cachedPublicJson(c, "feed", canonicalListing({ ...listing, limit, cursor }), produce);
};

export const getPublicNote: AppRouteHandler<typeof routes.getPublicNote> = async (c) => {
  const { id } = c.req.valid("param");
  const viewer = c.var.viewer ?? ANONYMOUS;
  const produce = async () => valueOrThrow(await queries.findPublicNote(c.var.db, viewer, id), asPublicNote);
  if (viewer.kind !== "anonymous") return c.json(await produce(), 200, VIEWER_HEADERS);
  return cachedPublicJson(c, { note: id }, "", produce);
};

export const downloadPublicAttachment: AppRouteHandler<typeof routes.downloadPublicAttachment> = async (c) => {
  const { id, attachmentId } = c.req.valid("param");
  const file = await queries.findPublicAttachment(c.var.db, id, attachmentId);
  if (!file) throw notFound("No attachment with this id on a published note.");
  return serveDownload(c.req.raw, c.env.ATTACHMENTS, file, "public, no-cache");
};

export const castVote: AppRouteHandler<typeof routes.castVote> = async (c) => {
  const outcome = await queries.castVote(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json").value);
  if (outcome.kind === "forbidden") throw forbidden("Authors cannot vote on their own notes.", "own-note");
  return c.json(await written(c, outcome, asPublicNote), 200);
};

export const withdrawVote: AppRouteHandler<typeof routes.withdrawVote> = async (c) => {
  const totals = await written(
    c,
    await queries.withdrawVote(c.var.db, c.var.caller, c.req.valid("param").id),
    asPublicNote,
  );
  return c.json(totals, 200);
};

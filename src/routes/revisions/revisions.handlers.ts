import * as queries from "../../db/queries/revisions";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { etagFor, requiredVersions } from "../../lib/etag";
import type { AppRouteHandler } from "../../lib/router";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./revisions.routes";

const asRevision = {
  noun: "note",
  missing: (what: string | undefined) =>
    what === "revision" ? "No revision with this version of this note." : "No note with this id.",
};
// Binds cursors to this listing, so a notes cursor never verifies here.
const LISTING = { list: "revisions" };

export const listRevisions: AppRouteHandler<typeof routes.listRevisions> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const { id } = c.req.valid("param");
  const secret = c.var.config.PASSWORD_PEPPER;
  const listing = { ...LISTING, note: id };
  const after = cursor ? await decodeCursor(cursor, { listing, ranked: false, secret }) : undefined;
  const rows = valueOrThrow(await queries.listRevisions(c.var.db, c.var.caller, id, limit, after), asRevision);
  const page = await keysetPage(rows, limit, { listing, secret });
  return c.json({ items: page.items.map(({ id: _, ...revision }) => revision), nextCursor: page.nextCursor }, 200);
};

export const getRevision: AppRouteHandler<typeof routes.getRevision> = async (c) => {
  const { id, version } = c.req.valid("param");
  return c.json(valueOrThrow(await queries.findRevision(c.var.db, c.var.caller, id, version), asRevision), 200);
};

export const restoreRevision: AppRouteHandler<typeof routes.restoreRevision> = async (c) => {
  const { id, version } = c.req.valid("param");
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const note = await written(
    c,
    await queries.restoreRevision(c.var.db, c.var.caller, id, version, versions),
    asRevision,
  );
  return c.json(note, 200, { ETag: etagFor(note.version) });
};

import * as queries from "../../db/queries/trash";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { requiredVersions } from "../../lib/etag";
import type { AppRouteHandler } from "../../lib/router";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./trash.routes";

const asTrashed = { noun: "note", missing: () => "No note with this id in your trash." };
// Binds cursors to this listing, so a notes cursor never verifies here.
const LISTING = { list: "trash" };

export const listTrash: AppRouteHandler<typeof routes.listTrash> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const secret = c.var.config.PASSWORD_PEPPER;
  const after = cursor ? await decodeCursor(cursor, { listing: LISTING, ranked: false, secret }) : undefined;
  const rows = valueOrThrow(await queries.listTrash(c.var.db, c.var.caller, limit, after), asTrashed);
  return c.json(await keysetPage(rows, limit, { listing: LISTING, secret }), 200);
};

export const restoreNote: AppRouteHandler<typeof routes.restoreNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  await written(
    c,
    await queries.restoreFromTrash(c.var.db, c.var.caller, c.req.valid("param").id, versions),
    asTrashed,
  );
  return c.body(null, 204);
};

export const purgeNote: AppRouteHandler<typeof routes.purgeNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  await written(c, await queries.purgeNote(c.var.db, c.var.caller, c.req.valid("param").id, versions), asTrashed);
  return c.body(null, 204);
};

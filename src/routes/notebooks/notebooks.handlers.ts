import * as members from "../../db/queries/members";
import * as queries from "../../db/queries/notebooks";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { etagFor, ifNoneMatchHits, requiredVersions } from "../../lib/etag";
import { conflict } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./notebooks.routes";

const asNotebook = { noun: "notebook", missing: () => "No notebook with this id." };
const asMember = {
  noun: "member",
  missing: (what: string | undefined) =>
    what === "member" ? "No member with this id in this notebook." : "No notebook with this id.",
  refused: () => conflict("The owner cannot be demoted or removed.", "owner-role"),
};

// Binds cursors to this listing, so a cursor from another listing (notes) never verifies here.
const LISTING = { list: "notebooks" };

export const createNotebook: AppRouteHandler<typeof routes.createNotebook> = async (c) => {
  const { name, description = "" } = c.req.valid("json");
  const notebook = valueOrThrow(
    await queries.insertNotebook(c.var.db, c.var.caller, { name, description }),
    asNotebook,
  );
  return c.json(notebook, 201, { Location: `/v1/notebooks/${notebook.id}`, ETag: etagFor(notebook.version) });
};

export const listNotebooks: AppRouteHandler<typeof routes.listNotebooks> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const secret = c.var.config.PASSWORD_PEPPER;
  const after = cursor ? await decodeCursor(cursor, { listing: LISTING, ranked: false, secret }) : undefined;
  const rows = valueOrThrow(await queries.listNotebooks(c.var.db, c.var.caller, limit, after), asNotebook);
  return c.json(await keysetPage(rows, limit, { listing: LISTING, secret }), 200);
};

export const getNotebook: AppRouteHandler<typeof routes.getNotebook> = async (c) => {
  const notebook = valueOrThrow(
    await queries.findNotebook(c.var.db, c.var.caller, c.req.valid("param").id),
    asNotebook,
  );
  const etag = etagFor(notebook.version);
  if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { ETag: etag });
  return c.json(notebook, 200, { ETag: etag });
};

export const updateNotebook: AppRouteHandler<typeof routes.updateNotebook> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const notebook = valueOrThrow(
    await queries.updateNotebook(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json"), versions),
    asNotebook,
  );
  return c.json(notebook, 200, { ETag: etagFor(notebook.version) });
};

export const deleteNotebook: AppRouteHandler<typeof routes.deleteNotebook> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  await written(c, await queries.deleteNotebook(c.var.db, c.var.caller, c.req.valid("param").id, versions), asNotebook);
  return c.body(null, 204);
};

export const listMembers: AppRouteHandler<typeof routes.listMembers> = async (c) => {
  const items = valueOrThrow(await members.listMembers(c.var.db, c.var.caller, c.req.valid("param").id), asMember);
  return c.json({ items, nextCursor: null }, 200);
};

export const updateMember: AppRouteHandler<typeof routes.updateMember> = async (c) => {
  const { id, userId } = c.req.valid("param");
  const member = valueOrThrow(
    await members.changeMemberRole(c.var.db, c.var.caller, id, userId, c.req.valid("json").role),
    asMember,
  );
  return c.json(member, 200);
};

export const removeMember: AppRouteHandler<typeof routes.removeMember> = async (c) => {
  const { id, userId } = c.req.valid("param");
  valueOrThrow(await members.removeMember(c.var.db, c.var.caller, id, userId), asMember);
  return c.body(null, 204);
};

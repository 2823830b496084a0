import * as queries from "../../db/queries/invitations";
import { NOTEBOOK_LIMITS } from "../../db/schema";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { etagFor } from "../../lib/etag";
import { conflict } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { valueOrThrow } from "../outcome";
import type * as routes from "./invitations.routes";

const REFUSALS: Record<queries.InvitationLimit, () => ReturnType<typeof conflict>> = {
  "already-member": () => conflict("A member of this notebook already has this email.", "already-member"),
  "member-limit": () =>
    conflict(`A notebook has at most ${NOTEBOOK_LIMITS.members} members; remove one first.`, "member-limit"),
  "invitation-limit": () =>
    conflict(
      `A notebook has at most ${NOTEBOOK_LIMITS.pendingInvitations} pending invitations; cancel one first.`,
      "invitation-limit",
    ),
};

const asInvitation = {
  noun: "invitation",
  missing: (what: string | undefined) =>
    what === "invitation" ? "No pending invitation with this id." : "No notebook with this id.",
  refused: (reason: queries.InvitationLimit) => REFUSALS[reason](),
};

// Binds cursors to this listing, so a cursor from another listing never verifies here.
const LISTING = { list: "invitations" };

export const invite: AppRouteHandler<typeof routes.invite> = async (c) => {
  const invitation = valueOrThrow(
    await queries.invite(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json")),
    asInvitation,
  );
  return c.json(invitation, 201, {
    Location: `/v1/notebooks/${invitation.notebookId}/invitations/${invitation.id}`,
  });
};

export const listNotebookInvitations: AppRouteHandler<typeof routes.listNotebookInvitations> = async (c) => {
  const items = valueOrThrow(
    await queries.listNotebookInvitations(c.var.db, c.var.caller, c.req.valid("param").id),
    asInvitation,
  );
  return c.json({ items, nextCursor: null }, 200);
};

export const getNotebookInvitation: AppRouteHandler<typeof routes.getNotebookInvitation> = async (c) => {
  const { id, invitationId } = c.req.valid("param");
  return c.json(
    valueOrThrow(await queries.findNotebookInvitation(c.var.db, c.var.caller, id, invitationId), asInvitation),
    200,
  );
};

export const cancelInvitation: AppRouteHandler<typeof routes.cancelInvitation> = async (c) => {
  const { id, invitationId } = c.req.valid("param");
  valueOrThrow(await queries.cancelInvitation(c.var.db, c.var.caller, id, invitationId), asInvitation);
  return c.body(null, 204);
};

export const listMyInvitations: AppRouteHandler<typeof routes.listMyInvitations> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const secret = c.var.config.PASSWORD_PEPPER;
  const after = cursor ? await decodeCursor(cursor, { listing: LISTING, ranked: false, secret }) : undefined;
  const rows = valueOrThrow(await queries.listMyInvitations(c.var.db, c.var.caller, limit, after), asInvitation);
  return c.json(await keysetPage(rows, limit, { listing: LISTING, secret }), 200);
};

export const acceptInvitation: AppRouteHandler<typeof routes.acceptInvitation> = async (c) => {
  const notebook = valueOrThrow(
    await queries.acceptInvitation(c.var.db, c.var.caller, c.req.valid("param").id),
    asInvitation,
  );
  return c.json(notebook, 200, { ETag: etagFor(notebook.version) });
};

export const declineInvitation: AppRouteHandler<typeof routes.declineInvitation> = async (c) => {
  valueOrThrow(await queries.declineInvitation(c.var.db, c.var.caller, c.req.valid("param").id), asInvitation);
  return c.body(null, 204);
};

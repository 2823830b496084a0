import * as queries from "../../db/queries/api-tokens";
import { API_TOKEN_LIMITS } from "../../db/schema";
import { newApiToken } from "../../lib/api-token";
import { conflict, notFound } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { sessionOf } from "../../middleware/auth";
import { confirmPassword } from "../../sessions/confirm-password";
import { valueOrThrow } from "../outcome";
import type * as routes from "./tokens.routes";

const asToken = {
  noun: "API token",
  missing: (what: string | undefined) =>
    what === "notebook" ? "No notebook with this id." : "No API token with this id.",
  refused: () =>
    conflict(`You have ${API_TOKEN_LIMITS.perUser} API tokens already; delete one first.`, "api-token-limit"),
};

export const createApiToken: AppRouteHandler<typeof routes.createApiToken> = async (c) => {
  const { name, scopes, expiresAt, notebookId = null, password } = c.req.valid("json");
  // A stolen access token lives minutes; a token it could make would live a year.
  await confirmPassword(c, password);
  const { token, hash, lastFour } = await newApiToken();
  const created = valueOrThrow(
    await queries.createApiToken(c.var.db, sessionOf(c), {
      name,
      scopes,
      expiresAt,
      notebookId,
      tokenHash: hash,
      lastFour,
    }),
    asToken,
  );
  return c.json({ ...created, token }, 201, { Location: `/v1/tokens/${created.id}`, "Cache-Control": "no-store" });
};

export const listApiTokens: AppRouteHandler<typeof routes.listApiTokens> = async (c) => {
  const items = valueOrThrow(await queries.listApiTokens(c.var.db, sessionOf(c)), asToken);
  return c.json({ items, nextCursor: null }, 200);
};

export const getApiToken: AppRouteHandler<typeof routes.getApiToken> = async (c) => {
  // A user's tokens are few (capped), so the one asked for is picked from them: the same statement.
  const tokens = valueOrThrow(await queries.listApiTokens(c.var.db, sessionOf(c)), asToken);
  const token = tokens.find((candidate) => candidate.id === c.req.valid("param").id);
  if (!token) throw notFound(asToken.missing("token"));
  return c.json(token, 200);
};

export const deleteApiToken: AppRouteHandler<typeof routes.deleteApiToken> = async (c) => {
  valueOrThrow(await queries.deleteApiToken(c.var.db, sessionOf(c), c.req.valid("param").id), asToken);
  return c.body(null, 204);
};

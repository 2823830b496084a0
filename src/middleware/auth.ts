import type { Context, MiddlewareHandler } from "hono";
import { createDatabase } from "../db/client";
import { tokenCallerByHash } from "../db/queries/api-tokens";
import { ANONYMOUS, type SessionCaller, type SignedInCaller, sessionCaller } from "../db/queries/caller";
import type { ApiScope } from "../db/schema";
import { configFrom } from "../env";
import { claimsApiToken, hashApiToken, isApiToken } from "../lib/api-token";
import { insufficientScope, unauthorized } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { verifyAccessToken } from "../lib/tokens";

// What one user sees must never be served to another by a shared cache, and a client's own cache must
// ask again before reuse: ETag revalidation (304) keeps that cheap. A handler may set a stricter value.
const PRIVATE_ANSWER = "private, no-cache";

/** What a signed-in route lets an API token do: the scope it needs, or "session" (a password sign-in only). */
export type RouteAccess = ApiScope | "session";

/**
 * Requires `Authorization: Bearer <access token or API token>` and puts its caller on the context. An
 * API token must hold the route's scope (403 insufficient_scope otherwise), and never passes a
 * session-only route. An access token's version is checked against the account by each handler's own
 * query, in the same round trip. Every answer it lets through, errors included, is marked private.
 */
export function requireUser(access: RouteAccess | "any"): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    const caller = await callerFromBearer(c.req.header("Authorization"), c.env);
    // "any": any valid credential (the MCP endpoint: each tool call is held to its route's scope).
    if (caller.kind === "token" && access !== "any") {
      if (access === "session") throw insufficientScope(undefined);
      if (!caller.scopes.includes(access)) throw insufficientScope(access);
    }
    c.set("caller", caller);
    await next();
    markPrivate(c);
  };
}

/**
 * For routes anyone may call: without `Authorization` the caller is anonymous; with it, the token must
 * be valid (401 otherwise, as RFC 6750 asks) and names the viewer, whose answers are then private.
 * Any API token will do: what such a route shows anyone may see.
 */
export function optionalUser(): MiddlewareHandler<AppEnv> {
  return async function optionalUser(c, next) {
    const header = c.req.header("Authorization");
    if (header === undefined) {
      c.set("viewer", ANONYMOUS);
      return next();
    }
    c.set("viewer", await callerFromBearer(header, c.env));
    await next();
    markPrivate(c);
  };
}

/**
 * Marks the answer private unless its handler chose a Cache-Control. Set on the answer itself, as
 * secureHeaders does: `c.header()` after the handler copies the whole Response first.
 */
function markPrivate(c: Context<AppEnv>) {
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", PRIVATE_ANSWER);
}

/**
 * The session behind a session-only route (requireUser("session")), which no API token passes: what
 * changes credentials takes this type, so a token cannot reach it by a route that forgot to say so.
 */
export function sessionOf(c: Context<AppEnv>): SessionCaller {
  const { caller } = c.var;
  if (caller.kind !== "session") throw insufficientScope(undefined);
  return caller;
}

/** The caller a valid `Bearer` credential names (an access token, or an API token, one lookup); otherwise a 401. */
async function callerFromBearer(header: string | undefined, env: AppEnv["Bindings"]): Promise<SignedInCaller> {
  const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  if (!match?.[1]) throw unauthorized();
  const credential = match[1];
  if (claimsApiToken(credential)) {
    // A mistyped or made-up token fails its checksum here, before any database call.
    const caller = isApiToken(credential)
      ? await tokenCallerByHash(createDatabase(configFrom(env)), await hashApiToken(credential))
      : undefined;
    if (!caller) throw unauthorized("The API token is invalid, expired or revoked.", "invalid_token");
    return caller;
  }
  const subject = await verifyAccessToken(credential, configFrom(env).JWT_SECRETS);
  if (!subject) throw unauthorized("The access token is invalid or expired.", "invalid_token");
  return sessionCaller(subject);
}

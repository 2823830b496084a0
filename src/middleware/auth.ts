import type { MiddlewareHandler } from "hono";
import { ANONYMOUS, sessionCaller } from "../db/queries/caller";
import { configFrom } from "../env";
import { unauthorized } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { verifyAccessToken } from "../lib/tokens";

// What one user sees must never be served to another by a shared cache, and a client's own cache must
// ask again before reuse: ETag revalidation (304) keeps that cheap. A handler may set a stricter value.
const PRIVATE_ANSWER = "private, no-cache";

/**
 * Requires `Authorization: Bearer <access token>` and puts its caller on the context. The token's
 * version is checked against the account by each handler's own query, in the same round trip.
 * Every answer it lets through, errors included, is marked private.
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    c.set("caller", await callerFromBearer(c.req.header("Authorization"), c.env));
    await next();
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", PRIVATE_ANSWER);
  };
}

/**
 * For routes anyone may call: without `Authorization` the caller is anonymous; with it, the token must
 * be valid (401 otherwise, as RFC 6750 asks) and names the viewer, whose answers are then private.
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
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", PRIVATE_ANSWER);
  };
}

/** The caller a valid `Bearer` access token names; otherwise a 401. */
async function callerFromBearer(header: string | undefined, env: AppEnv["Bindings"]) {
  const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
  if (!match?.[1]) throw unauthorized();
  const subject = await verifyAccessToken(match[1], configFrom(env).JWT_SECRETS);
  if (!subject) throw unauthorized("The access token is invalid or expired.", "invalid_token");
  return sessionCaller(subject);
}

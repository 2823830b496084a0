import type { MiddlewareHandler } from "hono";
import { configFrom } from "../env";
import { unauthorized } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { verifyAccessToken } from "../lib/tokens";

// What one user sees must never be served to another by a shared cache, and a client's own cache must
// ask again before reuse: ETag revalidation (304) keeps that cheap. A handler may set a stricter value.
const PRIVATE_ANSWER = "private, no-cache";

/**
 * Requires `Authorization: Bearer <access token>` and puts its subject on the context. The token's
 * version is checked against the account by each handler's own query, in the same round trip.
 * Every answer it lets through, errors included, is marked private.
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async function requireUser(c, next) {
    const header = c.req.header("Authorization");
    const match = header ? /^Bearer ([^\s]+)$/i.exec(header) : null;
    if (!match?.[1]) throw unauthorized();
    const subject = await verifyAccessToken(match[1], configFrom(c.env).JWT_SECRETS);
    if (!subject) throw unauthorized("The access token is invalid or expired.", "invalid_token");
    c.set("auth", subject);
    await next();
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", PRIVATE_ANSWER);
  };
}

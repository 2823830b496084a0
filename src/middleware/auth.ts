import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { configFrom } from "../env";
import { unauthorized } from "../lib/problem";
import { verifyAccessToken } from "../lib/tokens";

/**
 * Requires `Authorization: Bearer <access token>` and puts its subject on the context. The token's
 * version is checked against the account by each handler's own query, in the same round trip.
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
  };
}

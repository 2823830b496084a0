import { clearLoginFailures, recordLoginFailure } from "../../db/queries/login-failures";
import { insertRefreshToken, revokeRefreshTokenFamily, rotateRefreshToken } from "../../db/queries/refresh-tokens";
import { findCredentialsByEmail, insertUser, updatePasswordHash } from "../../db/queries/users";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "../../lib/password";
import { conflict } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/route-handler";
import { hashRefreshToken, newRefreshToken } from "../../lib/tokens";
import { toUser } from "../users/user.schemas";
import type * as routes from "./auth.routes";
import { lockedProblem, throwIfLocked } from "./login-throttle";
import { oauthError } from "./oauth-error";
import { NO_STORE, tokenResponse } from "./token-response";

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { email, password, displayName } = c.req.valid("json");
  // Hashed before the insert either way, so a taken email costs the same time as a new one.
  const passwordHash = await hashPassword(password, c.var.config.PASSWORD_PEPPER);
  const user = await insertUser(c.var.db, { email, passwordHash, displayName: displayName ?? null });
  if (!user) throw conflict("This email address cannot be used to register.", "email-unavailable");
  return c.json(toUser(user), 201, { Location: "/v1/users/me" });
};

export const token: AppRouteHandler<typeof routes.token> = async (c) => {
  const form = c.req.valid("form");
  if (form.grant_type === "password") {
    if (!form.username || !form.password) {
      return oauthError(c, "invalid_request", "The password grant needs username and password.");
    }
    return passwordGrant(c, form.username, form.password);
  }
  if (form.grant_type === "refresh_token") {
    if (!form.refresh_token) return oauthError(c, "invalid_request", "The refresh_token grant needs refresh_token.");
    return refreshGrant(c, form.refresh_token);
  }
  return oauthError(c, "unsupported_grant_type", "Supported grant types: password, refresh_token.");
};

type TokenContext = Parameters<AppRouteHandler<typeof routes.token>>[0];

async function passwordGrant(c: TokenContext, username: string, password: string) {
  const { db, config } = c.var;
  const email = username.trim().toLowerCase();
  const account = await findCredentialsByEmail(db, email);
  throwIfLocked(account?.lockedUntil);

  const check = account?.passwordHash
    ? await verifyPassword(password, account.passwordHash, config.PASSWORD_PEPPER)
    : await verifyAgainstDummy(password, config.PASSWORD_PEPPER);
  if (!check.valid || !account?.id || account.tokenVersion === null) {
    const lockedUntil = await recordLoginFailure(db, email);
    if (lockedUntil) throw lockedProblem(lockedUntil);
    return oauthError(c, "invalid_grant", "The email address or password is incorrect.");
  }

  const refresh = await newRefreshToken();
  const userId = account.id;
  const rehash = check.needsRehash ? await hashPassword(password, config.PASSWORD_PEPPER) : null;
  await db.batch([
    insertRefreshToken(db, {
      userId,
      familyId: crypto.randomUUID(),
      tokenHash: refresh.hash,
      ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    }),
    clearLoginFailures(db, email),
    ...(rehash ? [updatePasswordHash(db, userId, rehash)] : []),
  ]);
  const body = await tokenResponse(config, { userId, tokenVersion: account.tokenVersion }, refresh.token);
  return c.json(body, 200, NO_STORE);
}

async function refreshGrant(c: TokenContext, presented: string) {
  const { db, config } = c.var;
  const refresh = await newRefreshToken();
  const subject = await rotateRefreshToken(db, {
    presentedHash: await hashRefreshToken(presented),
    newHash: refresh.hash,
    ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  if (!subject) return oauthError(c, "invalid_grant", "The refresh token is invalid, expired or revoked.");
  return c.json(await tokenResponse(config, subject, refresh.token), 200, NO_STORE);
}

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
  const { token } = c.req.valid("form");
  await revokeRefreshTokenFamily(c.var.db, await hashRefreshToken(token));
  return c.body(null, 200);
};

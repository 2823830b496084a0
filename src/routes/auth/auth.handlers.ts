import { guessKeys } from "../../db/queries/password-guesses";
import { issueRefreshToken, revokeRefreshTokenFamily, rotateRefreshToken } from "../../db/queries/refresh-tokens";
import { findCredentialsByEmail, insertUser } from "../../db/queries/users";
import { clientNetwork } from "../../lib/client-ip";
import { requestLogger } from "../../lib/log";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "../../lib/password";
import { conflict } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { hashRefreshToken, newRefreshToken } from "../../lib/tokens";
import { throttleClientIp } from "../../middleware/rate-limit";
import { perClientIp, recordSignInFailure, throwIfSignInLocked } from "../../sessions/login-throttle";
import { NO_STORE, tokenResponse } from "../../sessions/token-response";
import { toUser } from "../users/user.schemas";
import type * as routes from "./auth.routes";
import { oauthError } from "./oauth-error";

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
  await throttleClientIp(c, perClientIp("sign-in"));
  const email = username.trim().toLowerCase();
  const network = clientNetwork(c.req);
  const account = await findCredentialsByEmail(db, email, network);
  if (account) throwIfSignInLocked(account);

  const check = account?.passwordHash
    ? await verifyPassword(password, account.passwordHash, config.PASSWORD_PEPPER, requestLogger(c))
    : await verifyAgainstDummy(password, config.PASSWORD_PEPPER);
  if (!check.valid || !account?.id || account.tokenVersion === null) {
    await recordSignInFailure(db, email, network, account?.knownNetwork ?? false);
    return oauthError(c, "invalid_grant", "The email address or password is incorrect.");
  }

  const refresh = await newRefreshToken();
  const subject = { userId: account.id, tokenVersion: account.tokenVersion };
  const issued = await issueRefreshToken(db, {
    ...subject,
    tokenHash: refresh.hash,
    ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    knownNetworkKey: guessKeys.signInFromNetwork(email, network),
    rehash: check.needsRehash ? await hashPassword(password, config.PASSWORD_PEPPER) : null,
  });
  // The password was changed between the check and now: the one typed is no longer the account's.
  if (!issued) return oauthError(c, "invalid_grant", "The email address or password is incorrect.");
  return c.json(await tokenResponse(config, subject, refresh.token), 200, NO_STORE);
}

async function refreshGrant(c: TokenContext, presented: string) {
  const { db, config } = c.var;
  const refresh = await newRefreshToken();
  const subject = await rotateRefreshToken(db, {
    presentedHash: await hashRefreshToken(presented),
    newHash: refresh.hash,
    ttlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    graceSeconds: config.REFRESH_REUSE_GRACE_SECONDS,
  });
  if (!subject) return oauthError(c, "invalid_grant", "The refresh token is invalid, expired or revoked.");
  return c.json(await tokenResponse(config, subject, refresh.token), 200, NO_STORE);
}

export const revoke: AppRouteHandler<typeof routes.revoke> = async (c) => {
  const { token } = c.req.valid("form");
  await revokeRefreshTokenFamily(c.var.db, await hashRefreshToken(token));
  return c.body(null, 200);
};

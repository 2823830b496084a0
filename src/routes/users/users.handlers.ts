import {
  changePassword as changePasswordQuery,
  deleteUser,
  findCurrentUser,
  updateDisplayName,
} from "../../db/queries/users";
import { hashPassword } from "../../lib/password";
import type { AppRouteHandler } from "../../lib/router";
import { newRefreshToken } from "../../lib/tokens";
import { sessionOf } from "../../middleware/auth";
import { confirmPassword } from "../../sessions/confirm-password";
import { NO_STORE, tokenResponse } from "../../sessions/token-response";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import { toUser } from "./user.schemas";
import type * as routes from "./users.routes";

// Every statement here is about the caller's own account: it exists, or the session has ended.
const asAccount = { noun: "account", missing: () => "No such account." };

export const getMe: AppRouteHandler<typeof routes.getMe> = async (c) => {
  const user = valueOrThrow(await findCurrentUser(c.var.db, c.var.caller), asAccount);
  return c.json(toUser(user), 200);
};

export const updateMe: AppRouteHandler<typeof routes.updateMe> = async (c) => {
  const displayName = c.req.valid("json").displayName;
  const user = valueOrThrow(await updateDisplayName(c.var.db, c.var.caller, displayName), asAccount);
  return c.json(toUser(user), 200);
};

export const changePassword: AppRouteHandler<typeof routes.changePassword> = async (c) => {
  const { currentPassword, newPassword } = c.req.valid("json");
  const { config, db } = c.var;
  const caller = sessionOf(c);
  await confirmPassword(c, currentPassword);
  const refresh = await newRefreshToken();
  const changed = await changePasswordQuery(db, caller, {
    passwordHash: await hashPassword(newPassword, config.PASSWORD_PEPPER),
    refreshTokenHash: refresh.hash,
    refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
  });
  const tokenVersion = valueOrThrow(changed, asAccount);
  return c.json(await tokenResponse(config, { userId: caller.userId, tokenVersion }, refresh.token), 200, NO_STORE);
};

export const deleteMe: AppRouteHandler<typeof routes.deleteMe> = async (c) => {
  await confirmPassword(c, c.req.valid("json").password);
  await written(c, await deleteUser(c.var.db, sessionOf(c)), asAccount);
  return c.body(null, 204);
};

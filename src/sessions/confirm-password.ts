import type { Context } from "hono";
import { guessKeys, PER_USER_CONFIRMATION, recordFailure } from "../db/queries/password-guesses";
import { findCredentialsById } from "../db/queries/users";
import { requestLogger } from "../lib/log";
import { verifyPassword } from "../lib/password";
import { forbidden, sessionEnded } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { sessionOf } from "../middleware/auth";
import { throwIfLocked } from "./login-throttle";

/**
 * A signed-in user re-typing their password before something a stolen access token must not do alone
 * (a new password, deleting the account, a new API token). Wrong ones count against the user's own
 * confirmation limit, never the sign-in throttle: guesses at the sign-in form cannot block these.
 */
export async function confirmPassword(c: Context<AppEnv>, password: string): Promise<void> {
  const { config, db } = c.var;
  const account = await findCredentialsById(db, sessionOf(c));
  if (account.kind !== "done") throw sessionEnded();
  throwIfLocked(account.value.lockedUntil);
  const { valid } = await verifyPassword(
    password,
    account.value.passwordHash,
    config.PASSWORD_PEPPER,
    requestLogger(c),
  );
  if (valid) return;
  const [counted] = await recordFailure(db, guessKeys.confirmation(account.value.id), PER_USER_CONFIRMATION);
  throwIfLocked(counted?.lockedUntil);
  throw forbidden("The password is incorrect.", "wrong-password");
}

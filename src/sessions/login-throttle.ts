import type { Database } from "../db/client";
import { guessKeys, PER_EMAIL, PER_NETWORK, recordFailure } from "../db/queries/password-guesses";
import { Problem, problemType } from "../lib/problem";
import type { RateLimitOptions } from "../middleware/rate-limit";

/**
 * What can be guessed is limited per client IP as well: registering (which probes for taken emails)
 * and the password grant. Refresh tokens are 256 random bits, so refreshing is not limited, and
 * many users behind one NAT can all keep their sessions.
 */
export const perClientIp = (scope: "register" | "sign-in"): RateLimitOptions => ({
  limiter: (env) => env.AUTH_RATE_LIMITER,
  scope,
  periodSeconds: 60,
});

/** 429 while an email address is locked after repeated wrong passwords. */
function lockedProblem(lockedUntil: Date): Problem {
  const seconds = Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
  return new Problem(429, {
    type: problemType("too-many-failed-sign-ins"),
    detail: `Too many wrong passwords for this account; try again in ${seconds} seconds.`,
    headers: { "Retry-After": String(seconds) },
  });
}

type Timestamp = Date | string | null | undefined;

export function throwIfLocked(...locks: Timestamp[]): void {
  const now = Date.now();
  const until = locks
    .filter((lock) => lock)
    .map((lock) => new Date(lock as Date | string))
    .filter((lock) => lock.getTime() > now)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (until) throw lockedProblem(until);
}

export interface SignInThrottle {
  networkLockedUntil: Timestamp;
  emailLockedUntil: Timestamp;
  /** The owner signed in from this network lately: the per-email lock does not stop it. */
  knownNetwork: boolean;
}

/** A sign-in is stopped by its network's lock, and by the email's lock unless the network is known. */
export function throwIfSignInLocked(throttle: SignInThrottle): void {
  throwIfLocked(throttle.networkLockedUntil, throttle.knownNetwork ? null : throttle.emailLockedUntil);
}

/** Counts a wrong password against the network and the email together, then applies what is now locked. */
export async function recordSignInFailure(
  db: Database,
  email: string,
  network: string,
  knownNetwork: boolean,
): Promise<void> {
  const [[fromNetwork], [fromEverywhere]] = await db.batch([
    recordFailure(db, guessKeys.signInFromNetwork(email, network), PER_NETWORK),
    recordFailure(db, guessKeys.signIn(email), PER_EMAIL),
  ]);
  throwIfSignInLocked({
    networkLockedUntil: fromNetwork?.lockedUntil,
    emailLockedUntil: fromEverywhere?.lockedUntil,
    knownNetwork,
  });
}

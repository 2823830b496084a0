import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { passwordGuesses } from "../schema";

// The defence against online password guessing, built so that nobody can lock a user out of their own
// account: wrong passwords are counted per (email, client network), and a lock there stops only that
// network. A much higher count per email, from every network together, stops networks that never signed
// this account in, while the owner's known networks (a correct password within KNOWN_NETWORK_DAYS) go on.
// A signed-in user re-typing their password (password change, account deletion) has a counter of their
// own, which sign-in guesses never touch. docs/accounts.md has the threat model and the numbers.

export interface GuessPolicy {
  /** Wrong passwords allowed within the window before each further one locks. */
  free: number;
  /** Failures older than this, counted from the last one, are forgotten. */
  windowSeconds: number;
  /** The first lock; each further failure doubles it, up to maxLockSeconds. */
  firstLockSeconds: number;
  maxLockSeconds: number;
}

// One network: 5 guesses, then locks of 30 s, 1, 2, 4, 8 minutes, then 15: 13 guesses in the first hour,
// 4 an hour after. The window outlasts the longest lock, so waiting a lock out never restores free guesses.
export const PER_NETWORK: GuessPolicy = { free: 5, windowSeconds: 3600, firstLockSeconds: 30, maxLockSeconds: 900 };
// Every network together: 50 an hour; past that, unknown networks wait an hour.
export const PER_EMAIL: GuessPolicy = { free: 50, windowSeconds: 3600, firstLockSeconds: 3600, maxLockSeconds: 3600 };
// A signed-in user confirming their password: the same pace as one network.
export const PER_USER_CONFIRMATION = PER_NETWORK;

export const KNOWN_NETWORK_DAYS = 30;

export const guessKeys = {
  signInFromNetwork: (email: string, network: string) => `sign-in:${network}:${email}`,
  signIn: (email: string) => `sign-in:*:${email}`,
  confirmation: (userId: string) => `confirm:${userId}`,
};

/** Counts one wrong password under `key`; answers until when the key is now locked, if it is. */
export function recordFailure(db: Database, key: string, policy: GuessPolicy) {
  const failures = sql`case when ${passwordGuesses.lastFailureAt} < now() - make_interval(secs => ${policy.windowSeconds})
    then 1 else ${passwordGuesses.failures} + 1 end`;
  // Capped before power(), so no count can overflow the lock's arithmetic.
  const doublings = sql`least(${failures} - ${policy.free} - 1, 30)`;
  return db
    .insert(passwordGuesses)
    .values({ key, failures: 1, lastFailureAt: sql`now()` })
    .onConflictDoUpdate({
      target: passwordGuesses.key,
      set: {
        failures,
        lastFailureAt: sql`now()`,
        lockedUntil: sql`case when ${failures} > ${policy.free}
          then now() + make_interval(secs => least(${policy.maxLockSeconds}, ${policy.firstLockSeconds} * power(2, ${doublings})))
          else ${passwordGuesses.lockedUntil} end`,
      },
    })
    .returning({ lockedUntil: passwordGuesses.lockedUntil });
}

/** The locks in force for a sign-in from `network`, and whether that network is one the owner uses. */
export const signInThrottle = (email: string, network: string) => sql`
  select n.locked_until as "networkLockedUntil", e.locked_until as "emailLockedUntil",
    coalesce(n.last_success_at > now() - make_interval(days => ${KNOWN_NETWORK_DAYS}), false) as "knownNetwork"
  from (select 1) as one
  left join ${passwordGuesses} n on n.key = ${guessKeys.signInFromNetwork(email, network)}
  left join ${passwordGuesses} e on e.key = ${guessKeys.signIn(email)}`;

/** For each row of `source`, a correct password from the network of `key`: the counter restarts, the network is known. */
export const knownNetworkUpsert = (key: string, source: SQL) => sql`
  insert into ${passwordGuesses} (key, failures, last_success_at) select ${key}, 0, now() from ${source}
  on conflict (key) do update set failures = 0, locked_until = null, last_success_at = now()`;

/** Failure counters idle for a day, and known networks not seen for KNOWN_NETWORK_DAYS, tell nobody anything. */
export function pruneGuesses(db: Database) {
  return db.execute(sql`
    delete from ${passwordGuesses}
    where coalesce(last_failure_at, '-infinity') < now() - interval '1 day'
      and coalesce(last_success_at, '-infinity') < now() - make_interval(days => ${KNOWN_NETWORK_DAYS})
      and coalesce(locked_until, '-infinity') < now()`);
}

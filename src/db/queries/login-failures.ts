import { eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { loginFailures } from "../schema";

// After FREE_ATTEMPTS failures within WINDOW, each further failure locks the address for twice as long
// as the last, from 30 s up to 15 minutes. Short locks keep an attacker from locking a user out for long.
const FREE_ATTEMPTS = 5;
const WINDOW = sql.raw("interval '15 minutes'");
const FIRST_LOCK_SECONDS = 30;
const MAX_LOCK_SECONDS = 15 * 60;

/** Counts one failed password for `email` and answers until when it is now locked, if it is. */
export async function recordLoginFailure(db: Database, email: string): Promise<Date | null> {
  const failures = sql`case when ${loginFailures.lastFailureAt} < now() - ${WINDOW} then 1 else ${loginFailures.failures} + 1 end`;
  const [row] = await db
    .insert(loginFailures)
    .values({ email, failures: 1 })
    .onConflictDoUpdate({
      target: loginFailures.email,
      set: {
        failures,
        lastFailureAt: sql`now()`,
        lockedUntil: sql`case when ${failures} > ${FREE_ATTEMPTS}
          then now() + make_interval(secs => least(${MAX_LOCK_SECONDS}, ${FIRST_LOCK_SECONDS} * power(2, ${failures} - ${FREE_ATTEMPTS} - 1)))
          end`,
      },
    })
    .returning({ lockedUntil: loginFailures.lockedUntil });
  return row?.lockedUntil ?? null;
}

export function clearLoginFailures(db: Database, email: string) {
  return db.delete(loginFailures).where(eq(loginFailures.email, email));
}

import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../client";
import { refreshTokens, users } from "../schema";
import { knownNetworkUpsert, pruneGuesses } from "./password-guesses";

/**
 * Starts a sign-in after a correct password, only if the account's token version is still the one read
 * when the password was checked: a password change that committed in between (the old password's last
 * moment) makes this issue nothing. The account row is share-locked, so a change cannot slip in during
 * the statement either. Also marks the client's network as known, and stores a stronger hash if asked.
 * Answers whether a token was issued.
 */
export async function issueRefreshToken(
  db: Database,
  args: {
    userId: string;
    tokenVersion: number;
    tokenHash: string;
    ttlSeconds: number;
    knownNetworkKey: string;
    rehash: string | null;
  },
): Promise<boolean> {
  const { rows } = await db.execute<{ issued: number }>(sql`
    with account as (
      select id from ${users} where id = ${args.userId} and token_version = ${args.tokenVersion} for share
    ), minted as (
      insert into ${refreshTokens} (user_id, family_id, token_version, token_hash, expires_at)
      select id, gen_random_uuid(), ${args.tokenVersion}, ${args.tokenHash}, now() + make_interval(secs => ${args.ttlSeconds})
      from account
      returning user_id
    ), known as (
      ${knownNetworkUpsert(args.knownNetworkKey, sql`minted`)}
    ), rehashed as (
      update ${users} set password_hash = ${args.rehash}
      where id in (select user_id from minted) and ${args.rehash}::text is not null
    )
    select count(*)::int as issued from minted`);
  return (rows[0]?.issued ?? 0) > 0;
}

/**
 * Exchanges a live refresh token for a new one in the same family, in one statement. A token is live
 * while it is neither rotated, revoked nor expired and its token version is still the account's.
 *
 * A token that was already rotated is being replayed, by a thief or by the client the thief raced: its
 * whole family is revoked. One exception, for clients whose answer was lost (RFC 9700 4.14.2): within
 * `graceSeconds` of its rotation, the most recently rotated token of a family may be presented again,
 * and then the successor it was exchanged for (never used, or it would have been rotated later) is
 * revoked and a new one minted instead. Answers the account's id and token version, or nothing.
 */
export async function rotateRefreshToken(
  db: Database,
  args: { presentedHash: string; newHash: string; ttlSeconds: number; graceSeconds: number },
) {
  const { rows } = await db.execute<{ userId: string; tokenVersion: number }>(sql`
    with presented as (
      select rt.id, rt.family_id, rt.rotated_at from ${refreshTokens} rt
      where rt.token_hash = ${args.presentedHash}
    ), live as (
      select rt.id, rt.family_id, rt.rotated_at from ${refreshTokens} rt
      join ${users} u on u.id = rt.user_id and u.token_version = rt.token_version
      where rt.id in (select id from presented) and rt.revoked_at is null and rt.expires_at > now()
    ), retried as (
      select family_id from live
      where rotated_at > now() - make_interval(secs => ${args.graceSeconds})
        and rotated_at = (select max(rotated_at) from ${refreshTokens} where family_id = live.family_id)
    ), rotated as (
      update ${refreshTokens} set rotated_at = now()
      where id in (select id from live where rotated_at is null) and rotated_at is null
      returning user_id, family_id, token_version
    ), superseded as (
      update ${refreshTokens} set revoked_at = now()
      where family_id in (select family_id from retried) and rotated_at is null and revoked_at is null
      returning user_id, family_id, token_version
    ), replayed as (
      update ${refreshTokens} set revoked_at = now()
      where family_id in (select family_id from presented where rotated_at is not null)
        and not exists (select 1 from retried) and revoked_at is null
    ), minted as (
      insert into ${refreshTokens} (user_id, family_id, token_version, token_hash, expires_at)
      select user_id, family_id, token_version, ${args.newHash}, now() + make_interval(secs => ${args.ttlSeconds})
      from (select * from rotated union all select * from superseded) as exchanged
      limit 1
      returning user_id, token_version
    )
    select user_id as "userId", token_version as "tokenVersion" from minted`);
  return rows[0];
}

/** RFC 7009: revoking a refresh token ends its sign-in, so the whole family goes. */
export function revokeRefreshTokenFamily(db: Database, tokenHash: string) {
  const family = db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash));
  return db.update(refreshTokens).set({ revokedAt: sql`now()` }).where(inArray(refreshTokens.familyId, family));
}

/** Refresh tokens dead for a week tell nobody anything; nor do idle password-guess counters. */
export function pruneExpiredSessions(db: Database) {
  return db.batch([
    db.execute(sql`delete from ${refreshTokens} where coalesce(revoked_at, expires_at) < now() - interval '7 days'`),
    pruneGuesses(db),
  ]);
}

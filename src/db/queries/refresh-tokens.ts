import { eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../client";
import { refreshTokens, users } from "../schema";

export function insertRefreshToken(
  db: Database,
  args: { userId: string; familyId: string; tokenHash: string; ttlSeconds: number },
) {
  return db.insert(refreshTokens).values({
    userId: args.userId,
    familyId: args.familyId,
    tokenHash: args.tokenHash,
    expiresAt: sql`now() + make_interval(secs => ${args.ttlSeconds})`,
  });
}

/**
 * Exchanges a live refresh token for a new one in the same family, in one statement. A token that was
 * already rotated is being replayed, by a thief or by the client the thief raced: its whole family is
 * revoked. Answers the account's id and token version, or nothing when the token is not live.
 */
export async function rotateRefreshToken(
  db: Database,
  args: { presentedHash: string; newHash: string; ttlSeconds: number },
) {
  const { rows } = await db.execute<{ userId: string; tokenVersion: number }>(sql`
    with presented as (
      select family_id, rotated_at from ${refreshTokens} where token_hash = ${args.presentedHash}
    ), rotated as (
      update ${refreshTokens} set rotated_at = now()
      where token_hash = ${args.presentedHash} and rotated_at is null and revoked_at is null and expires_at > now()
      returning user_id, family_id
    ), replayed as (
      update ${refreshTokens} set revoked_at = now()
      where family_id in (select family_id from presented where rotated_at is not null) and revoked_at is null
    ), minted as (
      insert into ${refreshTokens} (user_id, family_id, token_hash, expires_at)
      select user_id, family_id, ${args.newHash}, now() + make_interval(secs => ${args.ttlSeconds}) from rotated
      returning user_id
    )
    select u.id as "userId", u.token_version as "tokenVersion" from ${users} u join minted on minted.user_id = u.id`);
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

import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import {
  apiTokens,
  attachments,
  notebookInvitations,
  notebooks,
  notes,
  passwordGuesses,
  refreshTokens,
  users,
  votes,
} from "../schema";
import type { SessionCaller, SignedInCaller } from "./caller";
import { done, type Outcome, unauthenticated } from "./outcome";
import { guessKeys, signInThrottle } from "./password-guesses";

export type UserRow = typeof users.$inferSelect;

/** A statement about the caller's own account: it found the account, or the session has ended. */
const asCallerAccount = <T>(value: T | undefined): Outcome<T> => (value === undefined ? unauthenticated : done(value));

/** The caller's account: while the access token's version is still the account's, or while the API token exists. */
const current = (caller: SignedInCaller) =>
  caller.kind === "session"
    ? and(eq(users.id, caller.userId), eq(users.tokenVersion, caller.tokenVersion))
    : and(
        eq(users.id, caller.userId),
        sql`exists (select 1 from ${apiTokens} where id = ${caller.tokenId} and expires_at > now())`,
      );

export async function insertUser(db: Database, values: typeof users.$inferInsert): Promise<UserRow | undefined> {
  const [row] = await db.insert(users).values(values).onConflictDoNothing().returning();
  return row;
}

export async function findCurrentUser(db: Database, caller: SignedInCaller) {
  const [row] = await db.select().from(users).where(current(caller));
  return asCallerAccount(row);
}

export async function updateDisplayName(db: Database, caller: SignedInCaller, displayName: string | null) {
  const [row] = await db.update(users).set({ displayName, updatedAt: sql`now()` }).where(current(caller)).returning();
  return asCallerAccount(row);
}

/** The account and its confirmation throttle, for checking a password a signed-in caller typed. */
export async function findCredentialsById(db: Database, caller: SessionCaller) {
  const [row] = await db
    .select({
      id: users.id,
      email: users.email,
      passwordHash: users.passwordHash,
      tokenVersion: users.tokenVersion,
      lockedUntil: passwordGuesses.lockedUntil,
    })
    .from(users)
    .leftJoin(passwordGuesses, eq(passwordGuesses.key, guessKeys.confirmation(caller.userId)))
    .where(current(caller));
  return asCallerAccount(row);
}

/** Sign-in lookup: the throttle answers for unknown emails too, so both answer alike. */
export async function findCredentialsByEmail(db: Database, email: string, network: string) {
  const { rows } = await db.execute<{
    id: string | null;
    passwordHash: string | null;
    tokenVersion: number | null;
    networkLockedUntil: string | null;
    emailLockedUntil: string | null;
    knownNetwork: boolean;
  }>(sql`
    select u.id, u.password_hash as "passwordHash", u.token_version as "tokenVersion", throttle.*
    from (${signInThrottle(email, network)}) as throttle
    left join ${users} u on lower(u.email) = ${email}`);
  return rows[0];
}

/**
 * New password, new token version (every access token stops working), every refresh token revoked,
 * and a fresh refresh-token family for the caller: one statement, so a concurrent change cannot interleave.
 */
export async function changePassword(
  db: Database,
  caller: SessionCaller,
  args: {
    passwordHash: string;
    refreshTokenHash: string;
    refreshTtlSeconds: number;
  },
): Promise<Outcome<number>> {
  const { rows } = await db.execute<{ tokenVersion: number }>(sql`
    with changed as (
      update ${users} set password_hash = ${args.passwordHash}, token_version = token_version + 1, updated_at = now()
      where id = ${caller.userId} and token_version = ${caller.tokenVersion}
      returning id, token_version
    ), revoked as (
      update ${refreshTokens} set revoked_at = now()
      where user_id in (select id from changed) and revoked_at is null
    ), confirmed as (
      delete from ${passwordGuesses} where key = ${guessKeys.confirmation(caller.userId)} and exists (select 1 from changed)
    ), minted as (
      insert into ${refreshTokens} (user_id, family_id, token_version, token_hash, expires_at)
      select id, gen_random_uuid(), token_version, ${args.refreshTokenHash}, now() + make_interval(secs => ${args.refreshTtlSeconds})
      from changed
    )
    select token_version as "tokenVersion" from changed`);
  return asCallerAccount(rows[0]?.tokenVersion);
}

/** How many cached public notes an account deletion purges at most. */
const PURGE_LIMIT = 1000;

/**
 * Deletes the account and, by cascade, all it owns: its loose notes, the notebooks it owns with every
 * note in them, its memberships; and the invitations addressed to its email. Notes it wrote in other
 * people's notebooks stay there, handed to each notebook's owner (whose quota already pays for their
 * bytes), as a member who leaves leaves them; its votes go, and the totals follow. One transaction, one
 * round trip. Reports the attachments' objects, whose bytes go, and the published notes that are
 * deleted or lose a vote (at most PURGE_LIMIT: beyond it cached copies simply expire).
 */
export async function deleteUser(db: Database, caller: SessionCaller): Promise<Outcome<void>> {
  const account = sql`(select id from ${users} where id = ${caller.userId} and token_version = ${caller.tokenVersion})`;
  const [handedOver, deletion] = await db.batch([
    db.execute<{ id: string }>(sql`
      with handed as (
        update ${notes} n set owner_id = nb.owner_id from ${notebooks} nb
        where n.notebook_id = nb.id and n.owner_id = ${account} and nb.owner_id <> n.owner_id
        returning n.id, n.owner_id, n.visibility
      ),
      -- Authors do not vote on their own notes: the new author's vote on a handed-over note goes.
      unvoted as (delete from ${votes} v using handed h where v.note_id = h.id and v.user_id = h.owner_id)
      select case when visibility = 'public' then id end as id from handed`),
    db.execute<{ deleted: number; objectKeys: string[]; changedPublicNotes: string[] }>(sql`
      with doomed as (select object_key from ${attachments} where owner_id = ${account}),
      changed as (
        select n.id from ${notes} n
        where n.visibility = 'public' and (
          n.owner_id = ${account}
          or n.notebook_id in (select id from ${notebooks} where owner_id = ${account})
          or n.id in (select note_id from ${votes} where user_id = ${account})
        )
        limit ${PURGE_LIMIT}
      ),
      deleted as (delete from ${users} where id = ${account} returning id, email),
      uninvited as (delete from ${notebookInvitations} where email in (select lower(email) from deleted))
      select (select count(*) from deleted)::int as deleted, array(select object_key from doomed) as "objectKeys",
        array(select id from changed) as "changedPublicNotes"`),
  ]);
  const row = deletion.rows[0];
  // Handed-over public notes change too: their author is now the notebook's owner.
  const handedOverPublic = handedOver.rows.flatMap((note) => (note.id ? [note.id] : []));
  if (!row?.deleted) return unauthenticated;
  const changedPublicNotes = [...row.changedPublicNotes, ...handedOverPublic];
  return done(undefined, {
    unreferencedObjects: row.objectKeys,
    staleNotes: changedPublicNotes,
    staleFeed: changedPublicNotes.length > 0,
  });
}

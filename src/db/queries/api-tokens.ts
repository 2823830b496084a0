import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { API_TOKEN_LIMITS, type ApiScope, apiTokens, notebookMembers } from "../schema";
import { asCaller, type SessionCaller, type TokenCaller } from "./caller";
import { done, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { isoTimestamp, type Nullable, type Selected, selectList, textArray } from "./sql-fragments";

// Personal API tokens: made, listed and deleted only by their user signed in with a password (tokens
// never manage tokens; the routes are session-only), found by their hash for each request that
// presents one.

export type ApiTokenLimit = "api-token-limit";

/** The API's token from a row `t`: never the token, which is not stored. */
const tokenFields = {
  id: sql<string>`t.id`,
  name: sql<string>`t.name`,
  scopes: sql<ApiScope[]>`t.scopes`,
  notebookId: sql<string | null>`t.notebook_id`,
  lastFour: sql<string>`t.last_four`,
  expiresAt: isoTimestamp(sql`t.expires_at`),
  lastUsedAt: sql<string | null>`${isoTimestamp(sql`t.last_used_at`)}`,
  createdAt: isoTimestamp(sql`t.created_at`),
};
const tokenColumns = selectList(tokenFields);
export type ApiTokenRecord = Selected<typeof tokenFields>;

export interface NewApiToken {
  name: string;
  scopes: ApiScope[];
  notebookId: string | null;
  expiresAt: string;
  tokenHash: string;
  lastFour: string;
}

/** A new token; one limited to a notebook needs its user to belong to it (else the notebook's 404). */
export async function createApiToken(
  db: Database,
  caller: SessionCaller,
  token: NewApiToken,
): Promise<Outcome<ApiTokenRecord, ApiTokenLimit>> {
  const member =
    token.notebookId === null
      ? sql`true`
      : sql`exists (select 1 from ${notebookMembers} where notebook_id = ${token.notebookId} and user_id = (select id from me))`;
  const { rows } = await db.execute<{ authed: number; member: boolean; room: boolean } & Nullable<ApiTokenRecord>>(
    asCaller(caller, {
      with: sql`room as (
          select count(*) < ${API_TOKEN_LIMITS.perUser} as room from ${apiTokens} where user_id = (select id from me)
        ),
        inserted as (
          insert into ${apiTokens} (user_id, name, scopes, notebook_id, token_hash, last_four, expires_at)
          select (select id from me), ${token.name}, ${textArray(token.scopes)}, ${token.notebookId}::uuid,
            ${token.tokenHash}, ${token.lastFour}, ${token.expiresAt}::timestamptz
          from me where ${member} and (select room from room)
          returning *
        )`,
      select: sql`${member} as member, (select room from room) as room, ${tokenColumns}`,
      from: sql`left join inserted t on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.member) return missing("notebook");
  if (!row.room) return refused("api-token-limit");
  const { authed: _, member: __, room: ___, ...created } = row;
  return done(created as ApiTokenRecord);
}

/** The caller's tokens, newest first, expired ones included (until deleted): at most perUser. */
export async function listApiTokens(db: Database, caller: SessionCaller): Promise<Outcome<ApiTokenRecord[]>> {
  const { rows } = await db.execute<{ authed: number } & Nullable<ApiTokenRecord>>(
    asCaller(caller, {
      select: sql`page.*`,
      from: sql`left join lateral (
        select ${tokenColumns} from ${apiTokens} t where t.user_id = (select id from me)
        order by t.created_at desc, t.id desc
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...token }) => token as ApiTokenRecord));
}

/** Revokes: the row goes, and the next request with the token is refused. */
export async function deleteApiToken(db: Database, caller: SessionCaller, id: string): Promise<Outcome<void>> {
  const { rows } = await db.execute<{ authed: number; deleted: number }>(
    asCaller(caller, {
      with: sql`deleted as (delete from ${apiTokens} where id = ${id} and user_id = (select id from me) returning id)`,
      select: sql`(select count(*) from deleted)::int as deleted`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return row.deleted ? done(undefined) : missing("token");
}

const LAST_USED_EVERY_SECONDS = 60;

/**
 * The holder of an unexpired token with this hash, or undefined. Marks it used when its mark is a
 * minute old or more, in the same statement: a busy script costs one write a minute, not one a request.
 */
export async function tokenCallerByHash(db: Database, tokenHash: string): Promise<TokenCaller | undefined> {
  const { rows } = await db.execute<{ id: string; userId: string; scopes: ApiScope[]; notebookId: string | null }>(sql`
    with found as (
      select id, user_id, scopes, notebook_id, last_used_at from ${apiTokens}
      where token_hash = ${tokenHash} and expires_at > now()
    ),
    used as (
      update ${apiTokens} set last_used_at = now()
      where id = (select id from found)
        and (last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_EVERY_SECONDS}))
    )
    select id, user_id as "userId", scopes, notebook_id as "notebookId" from found`);
  const row = rows[0];
  return (
    row && { kind: "token", tokenId: row.id, userId: row.userId, scopes: row.scopes, onlyNotebook: row.notebookId }
  );
}

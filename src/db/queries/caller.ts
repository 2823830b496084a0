import { type SQL, sql } from "drizzle-orm";
import { users } from "../schema";

/**
 * Who is asking: every statement starts from its caller. A signed-in session today (an access token's
 * subject, whose version must still be the account's); an API token with scopes and perhaps one
 * notebook plugs in here next, as one more kind resolved by `asCaller`'s `me`.
 */
export type Caller = SessionCaller | AnonymousCaller;

/** A caller that signed in: the routes behind requireUser() have one. */
export type SignedInCaller = SessionCaller;

export interface SessionCaller {
  kind: "session";
  userId: string;
  /** The account's token version when the access token was issued; see users.token_version. */
  tokenVersion: number;
}

/** Nobody signed in, on a route anyone may call. */
export interface AnonymousCaller {
  kind: "anonymous";
}

export const ANONYMOUS: AnonymousCaller = { kind: "anonymous" };

export const sessionCaller = (subject: { userId: string; tokenVersion: number }): SessionCaller => ({
  kind: "session",
  userId: subject.userId,
  tokenVersion: subject.tokenVersion,
});

/** The signed-in user's id, or undefined for an anonymous caller. */
export const userIdOf = (caller: Caller) => (caller.kind === "anonymous" ? undefined : caller.userId);

/** `me` for each kind of caller: the account while the session lasts; nobody for an anonymous caller. */
const meOf = (caller: Caller) =>
  caller.kind === "anonymous"
    ? sql`select null::uuid as id, null::text as email where false`
    : sql`select id, email from ${users} where id = ${caller.userId} and token_version = ${caller.tokenVersion}`;

/**
 * The `me` envelope of a statement: the caller's account as a CTE, the statement's own CTEs after it,
 * and a select that always yields at least one row whose `authed` is 0 once a session has ended. So
 * ending sessions costs no extra query, and 401 and the statement's own outcome arrive in the same
 * round trip. An anonymous caller has an empty `me` and is `authed` (there is no session to end).
 */
export function asCaller(caller: Caller, statement: { with?: SQL; select: SQL; from?: SQL }): SQL {
  const authed = caller.kind === "anonymous" ? sql`1` : sql`(select count(*) from me)::int`;
  return sql`
    with me as (${meOf(caller)})
    ${statement.with ? sql`, ${statement.with}` : sql``}
    select ${authed} as authed, ${statement.select}
    from (select 1) as one ${statement.from ?? sql``}`;
}

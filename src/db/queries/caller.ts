import { type SQL, sql } from "drizzle-orm";
import { type ApiScope, apiTokens, users } from "../schema";

/**
 * Who is asking: every statement starts from its caller. A signed-in session (an access token's
 * subject, whose version must still be the account's), a personal API token (while it exists and has
 * not expired), or nobody. Each kind is resolved by `asCaller`'s `me`.
 */
export type Caller = SessionCaller | TokenCaller | AnonymousCaller;

/** A caller that signed in, with a password or a token: the routes behind requireUser() have one. */
export type SignedInCaller = SessionCaller | TokenCaller;

export interface SessionCaller {
  kind: "session";
  userId: string;
  /** The account's token version when the access token was issued; see users.token_version. */
  tokenVersion: number;
}

/** A personal API token's holder: what its scopes allow, of what its user may. */
export interface TokenCaller {
  kind: "token";
  tokenId: string;
  userId: string;
  scopes: ApiScope[];
  /** The one notebook the token reaches; null: all its user can. */
  onlyNotebook: string | null;
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

/**
 * `me` for each kind of caller: the account while the session lasts, or while the token exists (so a
 * token deleted since the request began is already refused); nobody for an anonymous caller.
 */
function meOf(caller: Caller): SQL {
  switch (caller.kind) {
    case "anonymous":
      return sql`select null::uuid as id, null::text as email, null::uuid as only_notebook where false`;
    case "session":
      return sql`select id, email, null::uuid as only_notebook from ${users}
        where id = ${caller.userId} and token_version = ${caller.tokenVersion}`;
    case "token":
      return sql`select id, email, ${caller.onlyNotebook}::uuid as only_notebook from ${users}
        where id = ${caller.userId}
          and exists (select 1 from ${apiTokens} where id = ${caller.tokenId} and expires_at > now())`;
  }
}

/**
 * SQL true when the notebook `notebookId` is within the caller's reach: any, unless an API token limits
 * them to one. Every statement that finds the caller's memberships says it, so a notebook-limited
 * token sees nothing of the others.
 */
export const withinReach = (notebookId: SQL) =>
  sql`((select only_notebook from me) is null or ${notebookId} = (select only_notebook from me))`;

/**
 * SQL true unless an API token limits the caller to one notebook: what belongs to the user rather than
 * to a notebook (loose notes, their own feed scope, new notebooks, votes) is within reach.
 */
export const unlimitedReach = sql`((select only_notebook from me) is null)`;

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

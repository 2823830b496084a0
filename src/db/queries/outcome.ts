import { type SQL, sql } from "drizzle-orm";
import type { AccessTokenSubject } from "../../lib/tokens";
import { users } from "../schema";

/**
 * What a statement found, in one vocabulary for every resource: the session has ended, no such
 * resource (or not the caller's, which must look the same), a role too weak for the write, a stale
 * If-Match, a refusal of the resource's own (a limit), or the result. src/routes/outcome.ts turns
 * each into its problem.
 */
export type Outcome<T, Reason extends string = never> =
  | { kind: "unauthenticated" }
  | { kind: "missing"; what?: string }
  | { kind: "forbidden" }
  | { kind: "stale"; currentVersion: number | null }
  | { kind: "refused"; reason: Reason }
  | { kind: "done"; value: T };

export const done = <T>(value: T) => ({ kind: "done", value }) as const;
export const unauthenticated = { kind: "unauthenticated" } as const;
export const forbidden = { kind: "forbidden" } as const;
export const missing = (what?: string) => ({ kind: "missing", what }) as const;
export const stale = (currentVersion: number | null) => ({ kind: "stale", currentVersion }) as const;
export const refused = <Reason extends string>(reason: Reason) => ({ kind: "refused", reason }) as const;

/**
 * The `me` envelope of a statement: the caller's account as a CTE while the access token's version is
 * still the account's, the statement's own CTEs after it, and a select that always yields at least one
 * row whose `authed` is 0 once the session has ended. So ending sessions costs no extra query, and
 * 401 and the statement's own outcome arrive in the same round trip.
 */
/**
 * asCaller for routes anyone may call: with a viewer, exactly asCaller; anonymous, `me` is empty and
 * `authed` is 1 (there is no session to end), so the same statement serves both.
 */
export function asViewer(
  viewer: AccessTokenSubject | undefined,
  statement: { with?: SQL; select: SQL; from?: SQL },
): SQL {
  if (viewer) return asCaller(viewer, statement);
  return sql`
    with me as (select null::uuid as id, null::text as email where false)
    ${statement.with ? sql`, ${statement.with}` : sql``}
    select 1 as authed, ${statement.select}
    from (select 1) as one ${statement.from ?? sql``}`;
}

export function asCaller(auth: AccessTokenSubject, statement: { with?: SQL; select: SQL; from?: SQL }): SQL {
  return sql`
    with me as (select id, email from ${users} where id = ${auth.userId} and token_version = ${auth.tokenVersion})
    ${statement.with ? sql`, ${statement.with}` : sql``}
    select (select count(*) from me)::int as authed, ${statement.select}
    from (select 1) as one ${statement.from ?? sql``}`;
}

import { type SQL, sql } from "drizzle-orm";
import { notebookMembers, notebooks, notes, ROLES } from "../schema";
import { forbidden, missing, unauthenticated } from "./outcome";

// Who may do what, in SQL, inside each request's one statement (the `me` CTE of asCaller is in scope).
// A loose note has only its owner; a note in a notebook follows the notebook's roles, the notebook's
// owner included. Nothing is cached: a role removed a moment ago no longer counts.

export type Role = (typeof ROLES)[number];

const me = sql`(select id from me)`;

/** The caller's role on the note row `note`, given their membership's role in its notebook (null if none). */
const roleOn = (note: SQL, memberRole: SQL) =>
  sql<Role | null>`case when ${note}.notebook_id is null
    then case when ${note}.owner_id = ${me} then 'owner' end
    else ${memberRole} end`;

/**
 * What a statement's access check found, before its own outcome, in order: the session has ended; no
 * such resource, or no role on it (the same 404, naming `what`); a role weaker than `least`.
 * Undefined: the caller may go on.
 */
export function accessDenied(
  row: { authed: number; callerRole: Role | null } | undefined,
  least: Role,
  what?: "note" | "notebook",
) {
  if (!row?.authed) return unauthenticated;
  if (row.callerRole === null) return missing(what);
  if (ROLES.indexOf(row.callerRole) < ROLES.indexOf(least)) return forbidden;
  return undefined;
}

/** CTE `access` (role): the caller's membership of the notebook; no row for anyone else, who gets a 404. */
export const notebookAccess = (notebookId: string) => sql`access as (
  select role from ${notebookMembers} where notebook_id = ${notebookId} and user_id = ${me}
)`;

/** The caller's role from the `access` CTE as the column `callerRole`, for `accessDenied`. */
export const callerRole = sql`(select role from access) as "callerRole"`;

/** SQL true when the caller owns the notebook: every notebook write but leaving is the owner's. */
export const callerIsOwner = sql`(select role from access) = 'owner'`;

/** SQL true when `role` may edit. */
export const canEdit = (role: SQL) => sql`${role} in ('editor', 'owner')`;

/**
 * Every note the caller can read, each with the caller's `role` on it: their loose notes and the notes of
 * the notebooks they belong to. Written so both halves use an index (owner, notebook), for lookups by id
 * and for listings alike.
 */
export const readableNotes = sql`(
  select n.*, ${roleOn(sql`n`, sql`m.role`)} as role
  from ${notes} n
  left join ${notebookMembers} m on m.notebook_id = n.notebook_id and m.user_id = ${me}
  where (n.notebook_id is null and n.owner_id = ${me})
    or n.notebook_id in (select notebook_id from ${notebookMembers} where user_id = ${me})
)`;

/**
 * CTEs ending in `access` (id, version, notebook_id, owner_id, role): the note `noteId` when the caller has
 * any role on it, for a statement that writes. The membership row is share-locked, so a removal or
 * demotion either waits for this write to commit or commits first and this statement sees no role:
 * no write lands after a removal is committed.
 */
export const noteAccessForWrite = (noteId: string) => sql`
  access_note as (select id, version, notebook_id, owner_id from ${notes} where id = ${noteId}),
  access_membership as (
    select role from ${notebookMembers}
    where notebook_id = (select notebook_id from access_note) and user_id = ${me}
    for share
  ),
  access as (
    select a.*, ${roleOn(sql`a`, sql`(select role from access_membership)`)} as role from access_note a
    where ${roleOn(sql`a`, sql`(select role from access_membership)`)} is not null
  )`;

/**
 * CTE `destination` (role, quota_owner): the caller's role on where a note is going (share-locked like
 * above) and whose quota its attachments then count against. `notebookId` null means loose, which only
 * the note's own owner (`noteOwner`, a scalar expression) may make it. No row: no such notebook, or
 * not the caller's to see.
 */
export const destinationFor = (notebookId: string | null, noteOwner: SQL) =>
  notebookId === null
    ? sql`destination as (
        select case when ${noteOwner} = ${me} then 'owner' end as role, ${noteOwner} as quota_owner
      )`
    : sql`destination as (
        select m.role, nb.owner_id as quota_owner
        from ${notebookMembers} m join ${notebooks} nb on nb.id = m.notebook_id
        where m.notebook_id = ${notebookId} and m.user_id = ${me}
        for share of m
      )`;

import { type SQL, sql } from "drizzle-orm";
import { notebookMembers, notebooks, notes } from "../schema";
import { unlimitedReach, withinReach } from "./caller";
import { permits, type Role } from "./permissions";
import { prerendered } from "./sql-fragments";

// The caller's role on a note or notebook, read in SQL inside each request's one statement (the `me`
// CTE of asCaller is in scope), for the rules of permissions.ts to judge. A loose note has only its
// owner; a note in a notebook follows the notebook's roles, the notebook's owner included. Nothing is
// cached: a role removed a moment ago no longer counts. A notebook-limited API token reaches one notebook
// (caller.ts withinReach): its other memberships and the caller's loose notes give it no role.

const me = sql`(select id from me)`;

/** The caller's role on the note row `note`, given their membership's role in its notebook (null if none). */
const roleOn = (note: SQL, memberRole: SQL) =>
  sql<Role | null>`case when ${note}.notebook_id is null
    then case when ${note}.owner_id = ${me} and ${unlimitedReach} then 'owner' end
    else ${memberRole} end`;

/** CTE `access` (role): the caller's membership of the notebook; no row for anyone else, who gets a 404. */
export const notebookAccess = (notebookId: string) => sql`access as (
  select role from ${notebookMembers}
  where notebook_id = ${notebookId} and user_id = ${me} and ${withinReach(sql`${notebookId}::uuid`)}
)`;

/** SQL true when the note row `note` is in the trash or, `inTrash` false, out of it. */
const trashState = (note: SQL, inTrash: boolean) =>
  inTrash ? sql`${note}.trashed_at is not null` : sql`${note}.trashed_at is null`;

/**
 * The notes the caller has a role on, each with that `role`: their loose notes (role owner) and the
 * notes of the notebooks they belong to (their role there), the rule of `roleOn` in two halves. A union
 * rather than one OR, so each half walks its own index (owner, notebook) for lookups by id and for
 * keyset listings alike; an OR made PostgreSQL scan every note.
 */
const noteHalvesWithRole = (inTrash: boolean) => [
  sql`(select n.*, 'owner' as role from ${notes} n
  where n.notebook_id is null and n.owner_id = ${me} and ${unlimitedReach} and ${trashState(sql`n`, inTrash)})`,
  sql`(select n.*, m.role from ${notebookMembers} m join ${notes} n on n.notebook_id = m.notebook_id
  where m.user_id = ${me} and ${withinReach(sql`m.notebook_id`)} and ${trashState(sql`n`, inTrash)})`,
];

const notesWithRole = (inTrash: boolean) =>
  prerendered(sql`(${sql.join(noteHalvesWithRole(inTrash), sql` union all `)})`);

/**
 * readableNotes as the halves of its union, for a keyset page (selectPage's `from` as a list): one half
 * joins two tables, so PostgreSQL cannot merge the halves' index orders itself, and a page over the
 * union read and sorted every note the caller has.
 */
export const readableNoteHalves = noteHalvesWithRole(false).map(prerendered);

/** Every note the caller can read, with their role on it. Trashed notes are in no read but the trash's. */
export const readableNotes = notesWithRole(false);

/**
 * CTE `access` (id, role, owner_id): the note `noteId` when the caller can read it, for a statement
 * that only reads; its rule is then judged by accessColumns/accessAllows, like a write's.
 */
export const readableNoteAccess = (noteId: string) =>
  sql`access as (select n.id, n.role, n.owner_id from ${readableNotes} n where n.id = ${noteId})`;

/** The caller's trash: trashed notes they may restore or purge (an editing role on them). */
export const restorableNotes = prerendered(
  sql`(select * from ${notesWithRole(true)} t where ${permits("note.restore", { role: sql`t.role` })})`,
);

/**
 * CTEs ending in `access` (the note's id, version, notebook_id, owner_id, visibility, title, content,
 * tags, edited_by, content_updated_at, and the caller's role): the note `noteId` when the caller has any role
 * on it, for a statement that writes: out of the trash, or (`inTrash`) in it. Read under the lock, so
 * it is the version this statement replaces. The note is locked first, so a move that committed while
 * this statement ran is seen (its new notebook decides) and one that comes later waits; then the
 * membership row is share-locked, so a removal or demotion either waits for this write to commit or
 * commits first and this statement sees no role: no write lands after a removal is committed.
 */
export const noteAccessForWrite = (noteId: string, { inTrash = false } = {}) => sql`
  access_note as (
    select id, version, notebook_id, owner_id, visibility, title, content, tags, edited_by, content_updated_at
    from ${notes} n
    where id = ${noteId} and ${trashState(sql`n`, inTrash)}
    for no key update
  ),
  access_membership as (
    select role from ${notebookMembers}
    where notebook_id = (select notebook_id from access_note) and user_id = ${me}
      and ${withinReach(sql`notebook_id`)}
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
        select case when ${noteOwner} = ${me} and ${unlimitedReach} then 'owner' end as role,
          ${noteOwner} as quota_owner
      )`
    : // The notebook is locked before the membership, in the order its deletion takes them, so a
      // deletion and this statement queue up instead of deadlocking, and a deleted one is not found.
      sql`destination_notebook as (select id, owner_id from ${notebooks} where id = ${notebookId} for key share),
      destination as (
        select m.role, nb.owner_id as quota_owner
        from destination_notebook nb join ${notebookMembers} m on m.notebook_id = nb.id and m.user_id = ${me}
        where ${withinReach(sql`nb.id`)}
        for share of m
      )`;

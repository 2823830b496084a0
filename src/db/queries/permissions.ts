import { type SQL, sql } from "drizzle-orm";
import { notes, ROLES } from "../schema";
import { forbidden, missing, unauthenticated } from "./outcome";

// Who may do what: one line per action. Each line is the only statement of its rule: the contract's
// words (`x-required-role`, via signedInRoute's `permission`), the SQL that decides it inside the
// request's one statement (`permits`), and the 401/404/403 the caller hears (`denied`) all come from
// it. A loose note has only its owner, who is `owner` of it; a note in a notebook follows the
// notebook's roles. Outsiders never learn that a resource exists: no role is the 404 of a missing id.

export type Role = (typeof ROLES)[number];

/** What a rule is about: a note (its notebook's roles), a notebook, or the notebook a body's `notebookId` names. */
export type RuleTarget = "note" | "notebook" | "notebookId";

/**
 * Someone a rule lets in below its role: the note's author (its `owner_id`), or the member a
 * membership route is about. Each statement names who that is for its row (`permits`' `self`).
 */
export type Self = "author" | "member";

export interface Permission {
  on: RuleTarget;
  /** The weakest role that may. */
  least: Role;
  /** Who else may: `who`, while holding at least `least`. */
  orSelf?: { who: Self; least: Role };
}

const rule = (on: RuleTarget, least: Role, orSelf?: Permission["orSelf"]): Permission => ({ on, least, orSelf });
const author = { who: "author", least: "editor" } as const;

export const PERMISSIONS = {
  // Creating puts a note somewhere, and so does a move, which needs note.edit where it is and
  // note.create where it goes; loose is anyone's own place, and only the note's own owner's for a move.
  "note.create": rule("notebookId", "editor"),
  "note.read": rule("note", "viewer"),
  "note.edit": rule("note", "editor"),
  "note.publish": rule("note", "owner", author),
  "note.share": rule("note", "owner", author),
  "note.trash": rule("note", "editor"),
  "note.restore": rule("note", "editor"),
  "note.purge": rule("note", "editor"),
  "revision.read": rule("note", "viewer"),
  "revision.restore": rule("note", "editor"),
  "attachment.read": rule("note", "viewer"),
  "attachment.upload": rule("note", "editor"),
  "attachment.delete": rule("note", "editor"),
  "notebook.read": rule("notebook", "viewer"),
  "notebook.edit": rule("notebook", "owner"),
  "notebook.delete": rule("notebook", "owner"),
  "member.read": rule("notebook", "viewer"),
  "member.changeRole": rule("notebook", "owner"),
  "member.remove": rule("notebook", "owner", { who: "member", least: "viewer" }),
  "notebook.invite": rule("notebook", "owner"),
  "invitation.read": rule("notebook", "owner"),
  "invitation.cancel": rule("notebook", "owner"),
  // A webhook endpoint is its creator's own; one for a notebook (`notebookId`) pushes what happens in it.
  "webhook.manage": rule("notebookId", "owner"),
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

// What anyone may read without a role, for routes that need no sign-in.

/** SQL true for the note row `note` while the public may read it: published, and out of the trash. */
export const published = (note: SQL) => sql`${note}.visibility = 'public' and ${note}.trashed_at is null`;

/** SQL true while the share link row `link` is live: not revoked, not expired. */
export const liveLink = (link: SQL) =>
  sql`${link}.revoked_at is null and (${link}.expires_at is null or ${link}.expires_at > now())`;

/** SQL true while the share link row `link` opens its note to anyone holding its token: live, the note out of the trash. */
export const opensNote = (link: SQL) =>
  sql`${liveLink(link)} and exists (select 1 from ${notes} t where t.id = ${link}.note_id and t.trashed_at is null)`;

/** SQL true when `role` is `least` or stronger. Roles are our own constants, so they are written inline. */
export const atLeast = (role: SQL, least: Role) =>
  sql`${role} in (${sql.raw(
    ROLES.slice(ROLES.indexOf(least))
      .map((name) => `'${name}'`)
      .join(", "),
  )})`;

/**
 * SQL true when `action` is allowed to a caller whose role on the resource is `role` (null: none).
 * `self`: the user the rule's `orSelf` names for this row (the note's `owner_id`, the member's id).
 */
export function permits(action: Action, subject: { role: SQL; self?: SQL }): SQL {
  const { least, orSelf }: Permission = PERMISSIONS[action];
  if (!orSelf) return atLeast(subject.role, least);
  if (!subject.self) throw new Error(`${action}: the statement must say who ${orSelf.who} is`);
  return sql`(${atLeast(subject.role, least)}
    or (${subject.self} = (select id from me) and ${atLeast(subject.role, orSelf.least)}))`;
}

/** What a statement answers about access, beside its own columns: `permits` evaluated, and the role it read. */
export type AccessRow = {
  authed: number;
  callerRole: Role | null;
  allowed: boolean | null;
};

/**
 * The outcome of an access check, before the statement's own, in order: the session has ended; no
 * role at all (the same 404 as a missing id, naming what was looked for); a role the action's rule
 * refuses (403: the caller can see the resource, so nothing leaks). Undefined: the caller may go on.
 */
export function denied(action: Action, row: AccessRow | undefined) {
  if (!row?.authed) return unauthenticated;
  if (row.callerRole === null) return missing(PERMISSIONS[action].on === "note" ? "note" : "notebook");
  if (!row.allowed) return forbidden;
  return undefined;
}

/** SQL true when the single-row CTE `access` (`role`, and for a note `owner_id`) allows `action`; false without a row. */
export const accessAllows = (action: Action, self?: SQL) =>
  sql<boolean>`coalesce((select ${permits(action, { role: sql`a.role`, self: self ?? sql`a.owner_id` })} from access a), false)`;

/** `"callerRole"` and `allowed` (AccessRow) from the CTE `access`: what every statement over one note or notebook selects for `denied`. */
export const accessColumns = (action: Action, self?: SQL) =>
  sql`(select role from access) as "callerRole", ${accessAllows(action, self)} as allowed`;

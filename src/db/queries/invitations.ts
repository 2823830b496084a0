import { sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import {
  type GRANTABLE_ROLES,
  INVITATION_TTL_DAYS,
  NOTEBOOK_LIMITS,
  notebookInvitations,
  notebookMembers,
  notebooks,
  users,
} from "../schema";
import { notebookAccess } from "./access";
import { asCaller, type SignedInCaller, withinReach } from "./caller";
import { selectPage } from "./keyset";
import { memberCountOf, type NotebookRecord, notebookColumns } from "./notebooks";
import { done, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied } from "./permissions";
import { exactTime, isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// An invitation is addressed to an email, not an account: whether one has it is never consulted when
// inviting, so the answer cannot tell. Expired invitations count nowhere and are found by nothing.

type GrantableRole = (typeof GRANTABLE_ROLES)[number];

const TTL = sql.raw(`interval '${INVITATION_TTL_DAYS} days'`);
const unexpired = sql`i.expires_at > now()`;
/** Addressed to the caller: emails are stored trimmed and lower-cased on both sides. */
const toMe = sql`i.email = (select lower(email) from me) and ${withinReach(sql`i.notebook_id`)}`;

/** The API's invitation, as its notebook's owner sees it, from a row `i`. */
const invitationFields = {
  id: sql<string>`i.id`,
  notebookId: sql<string>`i.notebook_id`,
  email: sql<string>`i.email`,
  role: sql<GrantableRole>`i.role`,
  createdAt: isoTimestamp(sql`i.created_at`),
  expiresAt: isoTimestamp(sql`i.expires_at`),
};
const invitationColumns = selectList(invitationFields);
export type InvitationRecord = Selected<typeof invitationFields>;

/** An invitation as its addressee sees it, from `i`, its notebook `n` and the owner `o` who sent it. */
const receivedFields = {
  id: sql<string>`i.id`,
  role: sql<GrantableRole>`i.role`,
  notebook: sql<{ id: string; name: string }>`json_build_object('id', n.id, 'name', n.name)`,
  invitedBy: sql<{ displayName: string | null }>`json_build_object('displayName', o.display_name)`,
  createdAt: isoTimestamp(sql`i.created_at`),
  expiresAt: isoTimestamp(sql`i.expires_at`),
};
export type ReceivedInvitationRecord = Selected<typeof receivedFields>;

export type InvitationLimit = "already-member" | "member-limit" | "invitation-limit";

/**
 * Invites `email`, or renews the pending (or lapsed) invitation it already has: the new role, a full
 * lifetime again. The limits are read in the statement's snapshot, so concurrent invitations may pass
 * them by a few; accepting checks the member limit again.
 */
export async function invite(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  invitation: { email: string; role: GrantableRole },
): Promise<Outcome<InvitationRecord, InvitationLimit>> {
  const { email, role } = invitation;
  const { rows } = await db.execute<
    AccessRow & { alreadyMember: boolean; members: number; pending: number } & Nullable<InvitationRecord>
  >(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)},
        counts as (
          select exists (
              select 1 from ${notebookMembers} m join ${users} u on u.id = m.user_id
              where m.notebook_id = ${notebookId} and lower(u.email) = ${email}
            ) as "alreadyMember",
            ${memberCountOf(sql`${notebookId}::uuid`)} as members,
            (select count(*)::int from ${notebookInvitations} i
              where i.notebook_id = ${notebookId} and ${unexpired} and i.email <> ${email}) as pending
        ),
        invited as (
          insert into ${notebookInvitations} (notebook_id, email, role, expires_at)
          select ${notebookId}::uuid, ${email}, ${role}, now() + ${TTL} from counts c
          where ${accessAllows("notebook.invite")} and not c."alreadyMember"
            and c.members < ${NOTEBOOK_LIMITS.members} and c.pending < ${NOTEBOOK_LIMITS.pendingInvitations}
          on conflict (notebook_id, email) do update
            set role = excluded.role, expires_at = excluded.expires_at, created_at = now()
          returning *
        )`,
      select: sql`${accessColumns("notebook.invite")}, c.*, ${invitationColumns}`,
      from: sql`cross join counts c left join invited i on true`,
    }),
  );
  const row = rows[0];
  const refusal = denied("notebook.invite", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  if (row.alreadyMember) return refused("already-member");
  if (row.members >= NOTEBOOK_LIMITS.members) return refused("member-limit");
  if (row.pending >= NOTEBOOK_LIMITS.pendingInvitations) return refused("invitation-limit");
  const {
    authed: _,
    callerRole: __,
    allowed: ___,
    alreadyMember: ____,
    members: _____,
    pending: ______,
    ...created
  } = row;
  return done(created as InvitationRecord);
}

/** The notebook's pending invitations, newest first: capped (NOTEBOOK_LIMITS.pendingInvitations), so one page. */
export async function listNotebookInvitations(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
): Promise<Outcome<InvitationRecord[]>> {
  const { rows } = await db.execute<AccessRow & Nullable<InvitationRecord>>(
    asCaller(caller, {
      with: notebookAccess(notebookId),
      select: sql`${accessColumns("invitation.read")}, page.*`,
      from: sql`left join lateral (
        select ${invitationColumns} from ${notebookInvitations} i
        where i.notebook_id = ${notebookId} and ${unexpired} and ${accessAllows("invitation.read")}
        order by i.created_at desc, i.id desc
      ) as page on true`,
    }),
  );
  const refusal = denied("invitation.read", rows[0]);
  if (refusal) return refusal;
  return done(
    rows
      .filter((row) => row.id !== null)
      .map(({ authed: _, callerRole: __, allowed: ___, ...rest }) => rest as InvitationRecord),
  );
}

export async function findNotebookInvitation(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  invitationId: string,
): Promise<Outcome<InvitationRecord>> {
  const { rows } = await db.execute<AccessRow & Nullable<InvitationRecord>>(
    asCaller(caller, {
      with: notebookAccess(notebookId),
      select: sql`${accessColumns("invitation.read")}, ${invitationColumns}`,
      from: sql`left join ${notebookInvitations} i on i.id = ${invitationId} and i.notebook_id = ${notebookId}
        and ${unexpired} and ${accessAllows("invitation.read")}`,
    }),
  );
  const row = rows[0];
  const refusal = denied("invitation.read", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  const { authed: _, callerRole: __, allowed: ___, ...invitation } = row;
  return invitation.id === null ? missing("invitation") : done(invitation as InvitationRecord);
}

export async function cancelInvitation(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  invitationId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<AccessRow & { cancelled: number }>(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)},
        cancelled as (
          delete from ${notebookInvitations} i
          where i.id = ${invitationId} and i.notebook_id = ${notebookId} and ${unexpired} and ${accessAllows("invitation.cancel")}
          returning i.id
        )`,
      select: sql`${accessColumns("invitation.cancel")}, (select count(*)::int from cancelled) as cancelled`,
    }),
  );
  const row = rows[0];
  const refusal = denied("invitation.cancel", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  return row.cancelled ? done(undefined) : missing("invitation");
}

export type ListedInvitation = ReceivedInvitationRecord & { cursorTime: string };

/** One page (plus one row) of the invitations addressed to the caller's email, newest first. */
export async function listMyInvitations(
  db: Database,
  caller: SignedInCaller,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<ListedInvitation[]>> {
  const page = await selectPage<ListedInvitation>(db, caller, {
    columns: sql`${selectList(receivedFields)}, ${exactTime(sql`i.created_at`)} as "cursorTime"`,
    from: sql`${notebookInvitations} i
      join ${notebooks} n on n.id = i.notebook_id
      join ${users} o on o.id = n.owner_id`,
    where: [toMe, unexpired],
    order: [sql`i.created_at`, sql`i.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  return page.kind === "done" ? done(page.value.items) : page;
}

/**
 * Membership with the invitation's role (a member already keeps theirs), and the invitation gone, in one
 * statement; the member limit is checked again here. Answers the notebook as the new member sees it.
 * The notebook, then the invitation, are locked first (the order a notebook's deletion takes them): a
 * cancel, decline or deletion that commits first leaves nothing to accept, one that comes later waits.
 */
export async function acceptInvitation(
  db: Database,
  caller: SignedInCaller,
  invitationId: string,
): Promise<Outcome<NotebookRecord, "member-limit">> {
  const { rows } = await db.execute<
    { authed: number; found: number; members: number | null } & Nullable<NotebookRecord>
  >(
    asCaller(caller, {
      with: sql`notebook as (
          select id from ${notebooks}
          where id = (select notebook_id from ${notebookInvitations} where id = ${invitationId})
          for key share
        ),
        invitation as (
          select i.* from ${notebookInvitations} i
          where i.id = ${invitationId} and i.notebook_id = (select id from notebook) and ${toMe} and ${unexpired}
          for update
        ),
        existing as (
          select role from ${notebookMembers}
          where notebook_id = (select notebook_id from invitation) and user_id = (select id from me)
        ),
        counted as (select ${memberCountOf(sql`(select notebook_id from invitation)`)} as members),
        joined as (
          insert into ${notebookMembers} (notebook_id, user_id, role)
          select notebook_id, (select id from me), role from invitation
          where not exists (select 1 from existing) and (select members from counted) < ${NOTEBOOK_LIMITS.members}
          on conflict do nothing
          returning role
        ),
        answered as (
          delete from ${notebookInvitations}
          where id = (select id from invitation) and (exists (select 1 from existing) or exists (select 1 from joined))
          returning id
        )`,
      select: sql`(select count(*)::int from invitation) as found, (select members from counted) as members,
        ${notebookColumns}`,
      from: sql`left join (
        select n.*, coalesce((select role from existing), (select role from joined)) as role,
          (select members from counted) + (select count(*)::int from joined) as member_count
        from ${notebooks} n
        where n.id = (select notebook_id from invitation) and exists (select 1 from answered)
      ) nb on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.found) return missing("invitation");
  const { authed: _, found: __, members, ...notebook } = row;
  if (notebook.id !== null) return done(notebook as NotebookRecord);
  // Not added and not a member: the notebook is full, or a concurrent accept took the invitation.
  return (members ?? 0) >= NOTEBOOK_LIMITS.members ? refused("member-limit") : missing("invitation");
}

export async function declineInvitation(
  db: Database,
  caller: SignedInCaller,
  invitationId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<{ authed: number; declined: number }>(
    asCaller(caller, {
      with: sql`declined as (
        delete from ${notebookInvitations} i where i.id = ${invitationId} and ${toMe} and ${unexpired}
        returning i.id
      )`,
      select: sql`(select count(*)::int from declined) as declined`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return row.declined ? done(undefined) : missing("invitation");
}

/** For the sweep: lapsed invitations are found by nothing, so they can go. */
export function pruneLapsedInvitations(db: Database) {
  return db.execute(sql`delete from ${notebookInvitations} where expires_at < now()`);
}

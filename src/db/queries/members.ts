import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { type GRANTABLE_ROLES, notebookMembers, users } from "../schema";
import { notebookAccess } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { done, missing, type Outcome, refused } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied, type Role } from "./permissions";
import { isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

/** The API's member from a membership row `m` joined to its user `u`. */
const memberFields = {
  userId: sql<string>`m.user_id`,
  displayName: sql<string | null>`u.display_name`,
  email: sql<string>`u.email`,
  role: sql<Role>`m.role`,
  addedAt: isoTimestamp(sql`m.added_at`),
};
const memberColumns = selectList(memberFields);

export type MemberRecord = Selected<typeof memberFields>;

/** The one refusal of members' own: ownership stays with the notebook's creator. */
export type OwnerRole = "owner-role";

/** Every member, oldest first: members are capped (NOTEBOOK_LIMITS.members), so one page holds them all. */
export async function listMembers(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
): Promise<Outcome<MemberRecord[]>> {
  const { rows } = await db.execute<AccessRow & Nullable<MemberRecord>>(
    asCaller(caller, {
      with: notebookAccess(notebookId),
      select: sql`${accessColumns("member.read")}, page.*`,
      from: sql`left join lateral (
        select ${memberColumns} from ${notebookMembers} m join ${users} u on u.id = m.user_id
        where m.notebook_id = ${notebookId} and ${accessAllows("member.read")}
        order by m.added_at, m.user_id
      ) as page on true`,
    }),
  );
  const refusal = denied("member.read", rows[0]);
  if (refusal) return refusal;
  return done(
    rows
      .filter((row) => row.userId !== null)
      .map(({ authed: _, callerRole: __, allowed: ___, ...member }) => member as MemberRecord),
  );
}

/** CTE `target` (user_id, role): the membership being changed. */
const targetOf = (notebookId: string, userId: string) => sql`target as (
  select user_id, role from ${notebookMembers} where notebook_id = ${notebookId} and user_id = ${userId}
)`;

export async function changeMemberRole(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  userId: string,
  role: (typeof GRANTABLE_ROLES)[number],
): Promise<Outcome<MemberRecord, OwnerRole>> {
  const { rows } = await db.execute<AccessRow & { targetRole: Role | null } & Nullable<MemberRecord>>(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)}, ${targetOf(notebookId, userId)},
        changed as (
          update ${notebookMembers} m set role = ${role} from target
          where m.notebook_id = ${notebookId} and m.user_id = target.user_id and target.role <> 'owner'
            and ${accessAllows("member.changeRole")}
          returning m.*
        )`,
      select: sql`${accessColumns("member.changeRole")}, (select role from target) as "targetRole", ${memberColumns}`,
      from: sql`left join (changed m join ${users} u on u.id = m.user_id) on true`,
    }),
  );
  const row = rows[0];
  const refusal = denied("member.changeRole", row);
  if (refusal || !row) return refusal ?? missing();
  if (row.targetRole === null) return missing("member");
  if (row.targetRole === "owner") return refused("owner-role");
  const { authed: _, callerRole: __, allowed: ___, targetRole: ____, ...member } = row;
  return done(member as MemberRecord);
}

/** The owner removes anyone but themself; any member may remove themself (leave), except the owner. */
export async function removeMember(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  userId: string,
): Promise<Outcome<void, OwnerRole>> {
  // "Or themself": the member the request names, whether or not they are one.
  const themself = sql`${userId}::uuid`;
  const { rows } = await db.execute<AccessRow & { targetRole: Role | null; removed: number }>(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)}, ${targetOf(notebookId, userId)},
        removed as (
          delete from ${notebookMembers} m using target
          where m.notebook_id = ${notebookId} and m.user_id = target.user_id and target.role <> 'owner'
            and ${accessAllows("member.remove", themself)}
          returning m.user_id
        )`,
      select: sql`${accessColumns("member.remove", themself)}, (select role from target) as "targetRole",
        (select count(*)::int from removed) as removed`,
    }),
  );
  const row = rows[0];
  const refusal = denied("member.remove", row);
  if (refusal || !row) return refusal ?? missing();
  if (row.targetRole === "owner") return refused("owner-role");
  return row.removed ? done(undefined) : missing("member");
}

import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { attachments, notebookMembers, notebooks, notes } from "../schema";
import { notebookAccess } from "./access";
import { asCaller, type SignedInCaller, unlimitedReach, withinReach } from "./caller";
import { selectPage } from "./keyset";
import { done, forbidden, missing, type Outcome, stale, unauthenticated } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied, type Role } from "./permissions";
import { exactTime, ifVersionIn, isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// Every statement here is the request's only round trip: the session (`me`), the caller's role read from
// notebook_members in the same statement, for writes the If-Match version, and the answer.

/** How many members (the owner included) the notebook `notebookId` (an SQL expression) has. */
export const memberCountOf = (notebookId: SQL) =>
  sql`(select count(*)::int from ${notebookMembers} where notebook_id = ${notebookId})`;

/** The API's notebook from a row `nb`: a notebooks row plus `role` (the caller's) and `member_count`. */
const notebookFields = {
  id: sql<string>`nb.id`,
  name: sql<string>`nb.name`,
  description: sql<string>`nb.description`,
  ownerId: sql<string>`nb.owner_id`,
  role: sql<Role>`nb.role`,
  memberCount: sql<number>`nb.member_count`,
  version: sql<number>`nb.version`,
  createdAt: isoTimestamp(sql`nb.created_at`),
  updatedAt: isoTimestamp(sql`nb.updated_at`),
};
export const notebookColumns = selectList(notebookFields);

/** A notebook as the API answers it; the route schema's type must accept it (checked where handlers answer). */
export type NotebookRecord = Selected<typeof notebookFields>;

/** The notebooks the caller belongs to, as rows for `nb`. */
const callersNotebooks = sql`
  select n.*, m.role, ${memberCountOf(sql`n.id`)} as member_count
  from ${notebookMembers} m join ${notebooks} n on n.id = m.notebook_id
  where m.user_id = (select id from me) and ${withinReach(sql`m.notebook_id`)}`;

export type Found = { authed: number } & Nullable<NotebookRecord>;

function notebookOf(row: Found): NotebookRecord {
  const { authed: _, ...notebook } = row;
  return notebook as NotebookRecord;
}

/** The notebook and its owner's membership, in one statement. */
export async function insertNotebook(
  db: Database,
  caller: SignedInCaller,
  values: { name: string; description: string },
): Promise<Outcome<NotebookRecord>> {
  const { rows } = await db.execute<Found>(
    asCaller(caller, {
      with: sql`created as (
          insert into ${notebooks} (owner_id, name, description)
          select id, ${values.name}, ${values.description} from me where ${unlimitedReach}
          returning *
        ),
        owner as (
          insert into ${notebookMembers} (notebook_id, user_id, role) select id, owner_id, 'owner' from created
          returning 1
        )`,
      select: notebookColumns,
      from: sql`left join (
        select c.*, 'owner' as role, (select count(*)::int from owner) as member_count from created c
      ) nb on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  // A notebook-limited API token makes nothing outside its notebook.
  if (row.id === null) return forbidden;
  return done(notebookOf(row));
}

export async function findNotebook(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
): Promise<Outcome<NotebookRecord>> {
  const { rows } = await db.execute<Found & AccessRow>(
    asCaller(caller, {
      with: notebookAccess(notebookId),
      select: sql`${accessColumns("notebook.read")}, ${notebookColumns}`,
      from: sql`left join (${callersNotebooks} and n.id = ${notebookId} and ${accessAllows("notebook.read")}) nb on true`,
    }),
  );
  const row = rows[0];
  const refusal = denied("notebook.read", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  const { callerRole: _, allowed: __, ...notebook } = row;
  return notebook.id === null ? missing() : done(notebookOf(notebook));
}

/** `versions`: the If-Match versions, any of which may match; undefined when there is no If-Match. */
export async function updateNotebook(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  patch: { name?: string; description?: string },
  versions: number[] | undefined,
): Promise<Outcome<NotebookRecord>> {
  const changes: SQL[] = [];
  if (patch.name !== undefined) changes.push(sql`name = ${patch.name}`);
  if (patch.description !== undefined) changes.push(sql`description = ${patch.description}`);
  changes.push(sql`version = n.version + 1`, sql`updated_at = now()`);

  const { rows } = await db.execute<Found & AccessRow & { currentVersion: number | null }>(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)},
        updated as (
          update ${notebooks} n set ${sql.join(changes, sql`, `)}
          where n.id = ${notebookId} and ${accessAllows("notebook.edit")} ${ifVersionIn(versions)}
          returning n.*
        )`,
      select: sql`${accessColumns("notebook.edit")}, (select version from ${notebooks} where id = ${notebookId}) as "currentVersion",
        ${notebookColumns}`,
      from: sql`left join (
        select u.*, 'owner' as role, ${memberCountOf(sql`u.id`)} as member_count from updated u
      ) nb on true`,
    }),
  );
  const row = rows[0];
  const refusal = denied("notebook.edit", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  const { callerRole: _, allowed: __, currentVersion, ...notebook } = row;
  return notebook.id === null ? stale(currentVersion) : done(notebookOf(notebook));
}

/**
 * Deletes the notebook; its notes, their attachments, memberships and invitations go by cascade. Reports
 * the attachments' objects, whose bytes go right away (the outbox trigger queues them too), and its
 * published notes, whose cached public copies go too.
 */
export async function deleteNotebook(
  db: Database,
  caller: SignedInCaller,
  notebookId: string,
  versions: number[] | undefined,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<AccessRow & { deleted: number; objectKeys: string[]; publicNoteIds: string[] }>(
    asCaller(caller, {
      with: sql`${notebookAccess(notebookId)},
        deleted as (
          delete from ${notebooks} n where n.id = ${notebookId} and ${accessAllows("notebook.delete")} ${ifVersionIn(versions)}
          returning n.id
        )`,
      select: sql`${accessColumns("notebook.delete")}, (select count(*)::int from deleted) as deleted,
        array(
          select a.object_key from ${attachments} a join ${notes} t on t.id = a.note_id
          where t.notebook_id in (select id from deleted)
        ) as "objectKeys",
        array(
          select id from ${notes} where notebook_id in (select id from deleted) and visibility = 'public'
        ) as "publicNoteIds"`,
    }),
  );
  const row = rows[0];
  const refusal = denied("notebook.delete", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  // Only that the version differs is known here; the current ETag comes with the next GET.
  if (!row.deleted) return stale(null);
  const published = row.publicNoteIds;
  return done(undefined, {
    unreferencedObjects: row.objectKeys,
    staleNotes: published,
    staleFeed: published.length > 0,
  });
}

export type ListedNotebook = NotebookRecord & { cursorTime: string };

/** One page (plus one row, to know whether another follows) of the caller's notebooks, newest first. */
export async function listNotebooks(
  db: Database,
  caller: SignedInCaller,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<ListedNotebook[]>> {
  const page = await selectPage<ListedNotebook>(db, caller, {
    columns: sql`${notebookColumns}, ${exactTime(sql`nb.created_at`)} as "cursorTime"`,
    from: sql`(${callersNotebooks}) nb`,
    order: [sql`nb.created_at`, sql`nb.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  return page.kind === "done" ? done(page.value.items) : page;
}

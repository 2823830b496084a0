import { type SQL, sql } from "drizzle-orm";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { StoredFile } from "../../storage/serve-download";
import type { Database } from "../client";
import { attachments, notes, SHARE_LINK_LIMITS, shareLinks, users } from "../schema";
import { accessDenied, canPublish, noteAccessForWrite, type Role, readableNotes } from "./access";
import { attachmentsOfNote, storedFileColumns } from "./attachments";
import { asCaller, done, forbidden, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// Share links: who may make, list and revoke them is who may publish the note (canPublish), checked in
// each request's one statement. Reading by link needs no account: the token's hash is the only key.

export type ShareLinkLimit = "share-link-limit";

/** SQL true while the link row `link` still opens its note. */
const live = (link: SQL) =>
  sql`${link}.revoked_at is null and (${link}.expires_at is null or ${link}.expires_at > now())`;

/** SQL true when the link row `link` opens its note now: live, and the note out of the trash. */
const opensNote = (link: SQL) =>
  sql`${live(link)} and exists (select 1 from ${notes} t where t.id = ${link}.note_id and t.trashed_at is null)`;

/** The API's share link from a row `l`: never its token, which is not stored. */
const shareLinkFields = {
  id: sql<string>`l.id`,
  expiresAt: sql<string | null>`${isoTimestamp(sql`l.expires_at`)}`,
  createdAt: isoTimestamp(sql`l.created_at`),
};
const shareLinkColumns = selectList(shareLinkFields);

export type ShareLinkRecord = Selected<typeof shareLinkFields>;

/**
 * The note as a link's reader sees it, from a note `n` and its author `u`: the author's display name
 * only, never their email or id, nor the note's owner or notebook.
 */
const sharedNoteFields = {
  id: sql<string>`n.id`,
  title: sql<string>`n.title`,
  content: sql<string>`n.content`,
  tags: sql<string[]>`n.tags`,
  author: sql<{ displayName: string | null }>`json_build_object('displayName', u.display_name)`,
  createdAt: isoTimestamp(sql`n.created_at`),
  updatedAt: isoTimestamp(sql`n.updated_at`),
  attachments: attachmentsOfNote(sql`n.id`),
};
const sharedNoteColumns = selectList(sharedNoteFields);

export type SharedNoteRecord = Selected<typeof sharedNoteFields>;

/** What every share-link statement answers about the caller, besides its own columns. */
type Access = { authed: number; callerRole: Role | null; mayShare: boolean | null };

/** 401, the 404 of a missing note, or 403 for a role that may read the note but not share it. */
function shareDenied(row: Access | undefined) {
  return accessDenied(row, "viewer", "note") ?? (row?.mayShare ? undefined : forbidden);
}

/**
 * A new link to the note, for whoever may publish it, while it has fewer than the limit of live links.
 * The note is locked and the caller's membership share-locked (noteAccessForWrite), so no link is made
 * after a removal or demotion commits. The count is read in the statement's snapshot: concurrent
 * requests for one note may pass the limit by a few.
 */
export async function createShareLink(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  link: { tokenHash: string; expiresAt: string | null },
): Promise<Outcome<ShareLinkRecord, ShareLinkLimit>> {
  const { rows } = await db.execute<Access & Nullable<ShareLinkRecord>>(
    asCaller(auth, {
      with: sql`${noteAccessForWrite(noteId)},
        shareable as (select id from access where ${canPublish(sql`access`)}),
        active as (
          select count(*)::int as links from ${shareLinks} l where l.note_id = (select id from shareable) and ${live(sql`l`)}
        ),
        created as (
          insert into ${shareLinks} (note_id, created_by, token_hash, expires_at)
          select id, (select id from me), ${link.tokenHash}, ${link.expiresAt}::timestamptz from shareable
          where (select links from active) < ${SHARE_LINK_LIMITS.activePerNote}
          returning *
        )`,
      select: sql`(select role from access) as "callerRole", exists (select 1 from shareable) as "mayShare",
        ${shareLinkColumns}`,
      from: sql`left join created l on true`,
    }),
  );
  const row = rows[0];
  const denied = shareDenied(row);
  if (denied || !row) return denied ?? unauthenticated;
  const { authed: _, callerRole: __, mayShare: ___, ...created } = row;
  return created.id === null ? refused("share-link-limit") : done(created as ShareLinkRecord);
}

/** The note's live links, newest first: capped (SHARE_LINK_LIMITS.activePerNote), so one page. */
export async function listShareLinks(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
): Promise<Outcome<ShareLinkRecord[]>> {
  const { rows } = await db.execute<Access & Nullable<ShareLinkRecord>>(
    asCaller(auth, {
      with: sql`note as (select n.id, n.role, ${canPublish(sql`n`)} as may_share from ${readableNotes} n where n.id = ${noteId})`,
      select: sql`(select role from note) as "callerRole", (select may_share from note) as "mayShare", page.*`,
      from: sql`left join lateral (
        select ${shareLinkColumns} from ${shareLinks} l
        where l.note_id = (select id from note where may_share) and ${live(sql`l`)}
        order by l.created_at desc, l.id desc
      ) as page on true`,
    }),
  );
  const denied = shareDenied(rows[0]);
  if (denied) return denied;
  return done(
    rows
      .filter((row) => row.id !== null)
      .map(({ authed: _, callerRole: __, mayShare: ___, ...link }) => link as ShareLinkRecord),
  );
}

/** Revokes a link by deleting it: the next request with its token finds nothing. */
export async function deleteShareLink(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  linkId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<Access & { deleted: number }>(
    asCaller(auth, {
      with: sql`${noteAccessForWrite(noteId)},
        deleted as (
          delete from ${shareLinks} l using access
          where l.id = ${linkId} and l.note_id = access.id and ${canPublish(sql`access`)}
          returning l.id
        )`,
      select: sql`(select role from access) as "callerRole",
        exists (select 1 from access where ${canPublish(sql`access`)}) as "mayShare",
        (select count(*) from deleted)::int as deleted`,
    }),
  );
  const row = rows[0];
  const denied = shareDenied(row);
  if (denied || !row) return denied ?? unauthenticated;
  return row.deleted ? done(undefined) : missing("share link");
}

/** The note a live link's token (its SHA-256, `tokenHash`) opens, with its attachments; undefined if none. */
export async function findSharedNote(db: Database, tokenHash: string): Promise<SharedNoteRecord | undefined> {
  const { rows } = await db.execute<SharedNoteRecord>(sql`
    select ${sharedNoteColumns}
    from ${shareLinks} l
    join ${notes} n on n.id = l.note_id
    join ${users} u on u.id = n.owner_id
    where l.token_hash = ${tokenHash} and ${opensNote(sql`l`)}`);
  return rows[0];
}

/** What a download of a shared attachment needs; undefined unless a live link opens its note. */
export async function findSharedAttachment(db: Database, tokenHash: string, attachmentId: string) {
  const { rows } = await db.execute<StoredFile>(sql`
    select ${storedFileColumns} from ${shareLinks} l join ${attachments} a on a.note_id = l.note_id and a.id = ${attachmentId}
    where l.token_hash = ${tokenHash} and ${opensNote(sql`l`)}`);
  return rows[0];
}

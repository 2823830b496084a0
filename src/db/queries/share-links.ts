import { sql } from "drizzle-orm";
import type { StoredFile } from "../../storage/serve-download";
import type { Database } from "../client";
import { attachments, notes, SHARE_LINK_LIMITS, shareLinks, users } from "../schema";
import { noteAccessForWrite, readableNotes } from "./access";
import { attachmentsOfNote, storedFileColumns } from "./attachments";
import { asCaller, type SignedInCaller } from "./caller";
import { done, missing, type Outcome, refused, unauthenticated } from "./outcome";
import { type AccessRow, accessAllows, accessColumns, denied, liveLink, opensNote, permits } from "./permissions";
import { isoTimestamp, type Nullable, type Selected, selectList } from "./sql-fragments";

// Share links: who may make, list and revoke them is note.share's rule (permissions.ts), checked in each
// request's one statement. Reading by link needs no account: the token's hash is the only key, and
// what it opens is permissions.ts's `opensNote`.

export type ShareLinkLimit = "share-link-limit";

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

/**
 * A new link to the note, for whoever note.share allows, while it has fewer than the limit of live links.
 * The note is locked and the caller's membership share-locked (noteAccessForWrite), so no link is made
 * after a removal or demotion commits. The count is read in the statement's snapshot: concurrent
 * requests for one note may pass the limit by a few.
 */
export async function createShareLink(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  link: { tokenHash: string; expiresAt: string | null },
): Promise<Outcome<ShareLinkRecord, ShareLinkLimit>> {
  const { rows } = await db.execute<AccessRow & Nullable<ShareLinkRecord>>(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(noteId)},
        shareable as (select id from access where ${accessAllows("note.share")}),
        active as (
          select count(*)::int as links from ${shareLinks} l where l.note_id = (select id from shareable) and ${liveLink(sql`l`)}
        ),
        created as (
          insert into ${shareLinks} (note_id, created_by, token_hash, expires_at)
          select id, (select id from me), ${link.tokenHash}, ${link.expiresAt}::timestamptz from shareable
          where (select links from active) < ${SHARE_LINK_LIMITS.activePerNote}
          returning *
        )`,
      select: sql`${accessColumns("note.share")}, ${shareLinkColumns}`,
      from: sql`left join created l on true`,
    }),
  );
  const row = rows[0];
  const refusal = denied("note.share", row);
  if (refusal || !row) return refusal ?? unauthenticated;
  const { authed: _, callerRole: __, allowed: ___, ...created } = row;
  return created.id === null ? refused("share-link-limit") : done(created as ShareLinkRecord);
}

/** The note's live links, newest first: capped (SHARE_LINK_LIMITS.activePerNote), so one page. */
export async function listShareLinks(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
): Promise<Outcome<ShareLinkRecord[]>> {
  const { rows } = await db.execute<AccessRow & Nullable<ShareLinkRecord>>(
    asCaller(caller, {
      with: sql`note as (
        select n.id, n.role, ${permits("note.share", { role: sql`n.role`, self: sql`n.owner_id` })} as allowed
        from ${readableNotes} n where n.id = ${noteId}
      )`,
      select: sql`(select role from note) as "callerRole", (select allowed from note) as allowed, page.*`,
      from: sql`left join lateral (
        select ${shareLinkColumns} from ${shareLinks} l
        where l.note_id = (select id from note where allowed) and ${liveLink(sql`l`)}
        order by l.created_at desc, l.id desc
      ) as page on true`,
    }),
  );
  const refusal = denied("note.share", rows[0]);
  if (refusal) return refusal;
  return done(
    rows
      .filter((row) => row.id !== null)
      .map(({ authed: _, callerRole: __, allowed: ___, ...link }) => link as ShareLinkRecord),
  );
}

/** Revokes a link by deleting it: the next request with its token finds nothing. */
export async function deleteShareLink(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  linkId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<AccessRow & { deleted: number }>(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(noteId)},
        deleted as (
          delete from ${shareLinks} l using access
          where l.id = ${linkId} and l.note_id = access.id and ${accessAllows("note.share")}
          returning l.id
        )`,
      select: sql`${accessColumns("note.share")}, (select count(*) from deleted)::int as deleted`,
    }),
  );
  const row = rows[0];
  const refusal = denied("note.share", row);
  if (refusal || !row) return refusal ?? unauthenticated;
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

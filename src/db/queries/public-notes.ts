import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { AccessTokenSubject } from "../../lib/tokens";
import type { StoredFile } from "../../storage/serve-download";
import type { Database } from "../client";
import { attachments, notes, users, type VOTE_VALUES, votes } from "../schema";
import { attachmentsOfNote, type NoteAttachmentRecord, storedFileColumns } from "./attachments";
import { asCaller, asViewer, done, forbidden, missing, type Outcome, unauthenticated } from "./outcome";
import { exactTime, isoTimestamp, type Nullable, type Selected, selectList, textArray } from "./sql-fragments";

// Published notes as anyone sees them: the author's display name and nothing else of theirs (no email,
// no user id), the vote totals, and the viewer's own vote when signed in. Only visibility = 'public'
// is ever read here; a note unpublished a moment ago is gone from the next statement on.

type VoteValue = (typeof VOTE_VALUES)[number];

/** A public note from a note row `n` and its author `u`; `me` is the viewer (empty when anonymous). */
const publicNoteFields = {
  id: sql<string>`n.id`,
  title: sql<string>`n.title`,
  content: sql<string>`n.content`,
  tags: sql<string[]>`n.tags`,
  author: sql<{ displayName: string | null }>`json_build_object('displayName', u.display_name)`,
  publishedAt: isoTimestamp(sql`n.published_at`),
  score: sql<number>`n.score`,
  upvotes: sql<number>`n.upvotes`,
  downvotes: sql<number>`n.downvotes`,
  myVote: sql<VoteValue | null>`(select v.value::int from ${votes} v where v.note_id = n.id and v.user_id = (select id from me))`,
  attachmentCount: sql<number>`n.attachment_count`,
};
export type PublicNoteRecord = Selected<typeof publicNoteFields>;

// A trashed note is published no more until it is restored.
const published = sql`n.visibility = 'public' and n.trashed_at is null`;
const withAuthor = sql`${notes} n join ${users} u on u.id = n.owner_id`;

export interface PublicFeedFilters {
  limit: number;
  sort: "new" | "top";
  q?: string;
  tag: string[];
}

export type ListedPublicNote = PublicNoteRecord & { cursorTime: string; cursorScore: number | null };

/**
 * One page (plus one row) of the public feed: newest publication first, or highest score first (then
 * newest). Keyset positions are (published_at, id) or (score, published_at, id).
 */
export async function listPublicNotes(
  db: Database,
  viewer: AccessTokenSubject | undefined,
  filters: PublicFeedFilters,
  after: Cursor | undefined,
): Promise<Outcome<ListedPublicNote[]>> {
  const top = filters.sort === "top";
  const query = filters.q ? sql`websearch_to_tsquery('english', ${filters.q})` : undefined;
  const conditions: SQL[] = [published];
  if (query) conditions.push(sql`n.search @@ ${query}`);
  if (filters.tag.length > 0) conditions.push(sql`n.tags @> ${textArray(filters.tag)}`);
  if (after) {
    conditions.push(
      top
        ? sql`(n.score, n.published_at, n.id) < (${after.score ?? 0}::int, ${after.time}::timestamptz, ${after.id}::uuid)`
        : sql`(n.published_at, n.id) < (${after.time}::timestamptz, ${after.id}::uuid)`,
    );
  }
  const order = top ? sql`n.score desc, n.published_at desc, n.id desc` : sql`n.published_at desc, n.id desc`;
  const { rows } = await db.execute<{ authed: number } & Nullable<ListedPublicNote>>(
    asViewer(viewer, {
      select: sql`page.*`,
      from: sql`left join lateral (
        select ${selectList(publicNoteFields)}, ${exactTime(sql`n.published_at`)} as "cursorTime",
          ${top ? sql`n.score` : sql`null::int`} as "cursorScore"
        from ${withAuthor}
        where ${sql.join(conditions, sql` and `)}
        order by ${order}
        limit ${filters.limit + 1}
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map(({ authed: _, ...note }) => note as ListedPublicNote));
}

export type PublicNoteWithAttachments = PublicNoteRecord & { attachments: NoteAttachmentRecord[] };

export async function findPublicNote(
  db: Database,
  viewer: AccessTokenSubject | undefined,
  noteId: string,
): Promise<Outcome<PublicNoteWithAttachments>> {
  const { rows } = await db.execute<{ authed: number } & Nullable<PublicNoteWithAttachments>>(
    asViewer(viewer, {
      select: sql`${selectList(publicNoteFields)}, ${attachmentsOfNote(sql`n.id`)} as attachments`,
      from: sql`left join (${withAuthor}) on n.id = ${noteId} and ${published}`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (row.id === null) return missing("note");
  const { authed: _, ...note } = row;
  return done(note as PublicNoteWithAttachments);
}

/** A public note's attachment, for anyone to download. */
export async function findPublicAttachment(db: Database, noteId: string, attachmentId: string) {
  const { rows } = await db.execute<StoredFile>(sql`
    select ${storedFileColumns} from ${attachments} a join ${notes} n on n.id = a.note_id
    where a.id = ${attachmentId} and a.note_id = ${noteId} and ${published}`);
  return rows[0];
}

export interface VoteTotals {
  score: number;
  upvotes: number;
  downvotes: number;
  myVote: VoteValue | null;
}

/**
 * Sets (value) or takes back (null) the caller's vote on a public note, then reads the totals the
 * trigger left: two statements in one transaction, one round trip, so the answer includes this vote.
 * Authors may not vote on their own notes.
 */
export async function castVote(
  db: Database,
  auth: AccessTokenSubject,
  noteId: string,
  value: VoteValue | null,
): Promise<Outcome<VoteTotals>> {
  const target = sql`target as (select id, owner_id from ${notes} n where n.id = ${noteId} and ${published})`;
  const change =
    value === null
      ? sql`changed as (
          delete from ${votes} where note_id = (select id from target) and user_id = (select id from me)
          returning 1
        )`
      : sql`changed as (
          insert into ${votes} (note_id, user_id, value)
          select id, (select id from me), ${value} from target where owner_id <> (select id from me)
          on conflict (note_id, user_id) do update set value = excluded.value, updated_at = now()
          returning 1
        )`;
  const [voted, totals] = await db.batch([
    db.execute<{ authed: number; found: number; own: boolean | null }>(
      asCaller(auth, {
        with: sql`${target}, ${change}`,
        select: sql`(select count(*) from target)::int as found, (select owner_id = (select id from me) from target) as own,
          (select count(*) from changed)::int as changed`,
      }),
    ),
    db.execute<{ authed: number } & Nullable<VoteTotals>>(
      asCaller(auth, {
        select: sql`n.score, n.upvotes, n.downvotes,
          (select v.value::int from ${votes} v where v.note_id = n.id and v.user_id = (select id from me)) as "myVote"`,
        from: sql`left join ${notes} n on n.id = ${noteId} and ${published}`,
      }),
    ),
  ]);
  const row = voted.rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.found) return missing("note");
  if (row.own && value !== null) return forbidden;
  const counts = totals.rows[0];
  if (!counts || counts.score === null) return missing("note");
  const { authed: _, ...result } = counts;
  return done(result as VoteTotals);
}

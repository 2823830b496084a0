import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { StoredFile } from "../../storage/serve-download";
import type { Database } from "../client";
import { attachments, notes, users, type VOTE_VALUES, votes } from "../schema";
import { attachmentsOfNote, type NoteAttachmentRecord, storedFileColumns } from "./attachments";
import { asCaller, type Caller, type SignedInCaller, unlimitedReach } from "./caller";
import { selectPage } from "./keyset";
import { done, forbidden, missing, type Outcome, unauthenticated } from "./outcome";
import { published } from "./permissions";
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
  myVote: sql<VoteValue | null>`(select v.value::int from ${votes} v where v.note_id = n.id and v.user_id = (select id from me) and ${unlimitedReach})`,
  attachmentCount: sql<number>`n.attachment_count`,
};
export type PublicNoteRecord = Selected<typeof publicNoteFields>;

// What anyone may read here: permissions.ts's `published` (a trashed note is published no more until restored).
const readable = published(sql`n`);
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
  caller: Caller,
  filters: PublicFeedFilters,
  after: Cursor | undefined,
): Promise<Outcome<ListedPublicNote[]>> {
  const top = filters.sort === "top";
  const query = filters.q ? sql`websearch_to_tsquery('english', ${filters.q})` : undefined;
  const conditions: SQL[] = [readable];
  if (query) conditions.push(sql`n.search @@ ${query}`);
  if (filters.tag.length > 0) conditions.push(sql`n.tags @> ${textArray(filters.tag)}`);
  const newest = [sql`n.published_at`, sql`n.id`];
  const position = after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`];
  const page = await selectPage<ListedPublicNote>(db, caller, {
    columns: sql`${selectList(publicNoteFields)}, ${exactTime(sql`n.published_at`)} as "cursorTime",
      ${top ? sql`n.score` : sql`null::int`} as "cursorScore"`,
    from: withAuthor,
    where: conditions,
    order: top ? [sql`n.score`, ...newest] : newest,
    after: position && (top ? [sql`${after.score ?? 0}::int`, ...position] : position),
    limit: filters.limit,
  });
  return page.kind === "done" ? done(page.value.items) : page;
}

export type PublicNoteWithAttachments = PublicNoteRecord & { attachments: NoteAttachmentRecord[] };

export async function findPublicNote(
  db: Database,
  caller: Caller,
  noteId: string,
): Promise<Outcome<PublicNoteWithAttachments>> {
  const { rows } = await db.execute<{ authed: number } & Nullable<PublicNoteWithAttachments>>(
    asCaller(caller, {
      select: sql`${selectList(publicNoteFields)}, ${attachmentsOfNote(sql`n.id`)} as attachments`,
      from: sql`left join (${withAuthor}) on n.id = ${noteId} and ${readable}`,
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
    where a.id = ${attachmentId} and a.note_id = ${noteId} and ${readable}`);
  return rows[0];
}

export interface VoteTotals {
  score: number;
  upvotes: number;
  downvotes: number;
  myVote: VoteValue | null;
}

/** Sets the caller's vote on a public note, or changes it. Authors may not vote on their own notes. */
export function castVote(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  value: VoteValue,
): Promise<Outcome<VoteTotals>> {
  return changeVote(db, caller, noteId, {
    change: sql`insert into ${votes} (note_id, user_id, value)
      select id, (select id from me), ${value} from target where owner_id <> (select id from me)
      on conflict (note_id, user_id) do update set value = excluded.value, updated_at = now()`,
    refusesAuthor: true,
  });
}

/** Takes back the caller's vote on a public note, if they had one. */
export function withdrawVote(db: Database, caller: SignedInCaller, noteId: string): Promise<Outcome<VoteTotals>> {
  return changeVote(db, caller, noteId, {
    change: sql`delete from ${votes} where note_id = (select id from target) and user_id = (select id from me)`,
    refusesAuthor: false,
  });
}

/**
 * A vote's change on the published note `target`, then the totals the trigger left: two statements in
 * one transaction, one round trip, so the answer includes this vote. The note's public copies and the
 * feed (its scores) are stale after it.
 */
async function changeVote(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  { change, refusesAuthor }: { change: SQL; refusesAuthor: boolean },
): Promise<Outcome<VoteTotals>> {
  const [voted, totals] = await db.batch([
    db.execute<{ authed: number; found: number; own: boolean | null }>(
      asCaller(caller, {
        with: sql`target as (select id, owner_id from ${notes} n where n.id = ${noteId} and ${readable}),
          changed as (${change} returning 1)`,
        select: sql`(select count(*) from target)::int as found, (select owner_id = (select id from me) from target) as own,
          (select count(*) from changed)::int as changed`,
      }),
    ),
    db.execute<{ authed: number } & Nullable<VoteTotals>>(
      asCaller(caller, {
        select: sql`n.score, n.upvotes, n.downvotes,
          (select v.value::int from ${votes} v where v.note_id = n.id and v.user_id = (select id from me) and ${unlimitedReach}) as "myVote"`,
        from: sql`left join ${notes} n on n.id = ${noteId} and ${readable}`,
      }),
    ),
  ]);
  const row = voted.rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.found) return missing("note");
  if (row.own && refusesAuthor) return forbidden;
  const counts = totals.rows[0];
  if (!counts || counts.score === null) return missing("note");
  const { authed: _, ...result } = counts;
  return done(result as VoteTotals, { staleNotes: [noteId], staleFeed: true });
}

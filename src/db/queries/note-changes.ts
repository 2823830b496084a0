import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { attachments, NOTE_REVISIONS, noteRevisions, notes, users, type VISIBILITIES } from "../schema";
import { destinationFor, noteAccessForWrite } from "./access";
import { asCaller, type SignedInCaller } from "./caller";
import { type NotePatch, type NoteRecord, noteColumns, noteFields } from "./note-record";
import { done, forbidden, missing, type Outcome, publicNoteChanged, refused, stale, unauthenticated } from "./outcome";
import { type AccessRow, type Action, accessAllows, denied, permits } from "./permissions";
import { ifVersionIn, type Nullable, textArray } from "./sql-fragments";

// A change to a note is one UPDATE built from parts: an edit of its fields, publishing, a move, a
// restore of a kept version. Each part names the action it needs (permissions.ts), judged on the note
// as it was, read under the lock (noteAccessForWrite); the update happens only when every part is
// allowed and its own conditions hold, with If-Match honoured, and the statement answers enough to
// tell which part refused. One statement, one round trip, whichever parts a request combines.

/** The statement's row: access, each part's verdict and columns, and the note as updated (null: not updated). */
type Row = AccessRow & { currentVersion: number | null; wasPublic: boolean | null } & PartColumns &
  Record<AllowedColumn, boolean | null> &
  Nullable<NoteRecord>;

/** The columns parts add for their verdicts (`columns`), each named once here. */
type PartColumns = {
  /** moveTo: whether the caller can see where the note is going, may put it there, and its bytes fit. */
  destinationFound?: number;
  destinationAllowed?: boolean;
  fits?: boolean | null;
  /** restoreVersion: whether the version to restore is kept. */
  revisionFound?: number;
};

export type ChangeRefusal = "over-quota";

export interface NoteChangePart {
  /** What the caller needs on the note for this part. */
  action: Action;
  /** Column assignments of the UPDATE. */
  set: SQL[];
  /** CTEs it reads, after `access`. */
  with?: SQL;
  /** What else must hold for the update to happen. */
  where?: SQL;
  /** The caller's role on the note afterwards, when the part changes it (a move). */
  roleAfter?: SQL;
  /** CTEs after `updated`, run only when it updated. */
  after?: SQL;
  /** Columns its verdicts read. */
  columns?: SQL;
  /** It rewrites title, content or tags: the replaced version is kept (`merge`: unless the caller's own and fresh). */
  rewrites?: { merge: boolean };
  /** Its own refusal, once its action is allowed. */
  refuse?: (row: Row) => Outcome<never, ChangeRefusal> | undefined;
  /** Why nothing was updated, when it was this part's condition that failed. */
  explain?: (row: Row) => Outcome<never, ChangeRefusal> | undefined;
}

/** Fields of the note set from an edit: title, content and tags rewrite it (a revision is kept), flags do not. */
export function editFields(patch: Omit<NotePatch, "visibility" | "notebookId">): NoteChangePart {
  const set: SQL[] = [];
  if (patch.title !== undefined) set.push(sql`title = ${patch.title}`);
  if (patch.content !== undefined) set.push(sql`content = ${patch.content}`);
  if (patch.tags !== undefined) set.push(sql`tags = ${textArray(patch.tags)}`);
  const rewrites = set.length > 0;
  if (patch.pinned !== undefined) set.push(sql`pinned = ${patch.pinned}`);
  if (patch.archived !== undefined) set.push(sql`archived = ${patch.archived}`);
  return { action: "note.edit", set, rewrites: rewrites ? { merge: true } : undefined };
}

/** Publishing or unpublishing: `publishedAt` is the first publication's time. */
export function setVisibility(visibility: (typeof VISIBILITIES)[number]): NoteChangePart {
  const set = [sql`visibility = ${visibility}`];
  if (visibility === "public") set.push(sql`published_at = coalesce(n.published_at, now())`);
  return { action: "note.publish", set };
}

/**
 * A move (`notebookId`; null: loose): note.create's rule at the destination, and room for the note's
 * attachments' bytes in the quota of whoever pays there (the notebook's owner, or the note's own owner
 * when it becomes loose). Bytes that stay with the same payer need no room. The payer's account row is
 * locked like an upload's confirmation locks it, so moves and uploads queue up.
 */
export function moveTo(notebookId: string | null, quotaBytes: number): NoteChangePart {
  const newPayer = sql`(select quota_owner from destination)`;
  const arriving = sql`select size from ${attachments} where note_id = (select id from access) and owner_id <> ${newPayer}`;
  const destinationAllowed = permits("note.create", { role: sql`(select role from destination)` });
  return {
    action: "note.edit",
    set: [sql`notebook_id = ${notebookId}::uuid`],
    with: sql`${destinationFor(notebookId, sql`(select owner_id from access)`)},
      payer as (select id from ${users} where id = ${newPayer} for no key update),
      room as (
        select not exists (${arriving})
          or (select coalesce(sum(size), 0) from ${attachments} where owner_id = (select id from payer))
            + (select coalesce(sum(size), 0) from (${arriving}) as moving) <= ${quotaBytes} as fits
      )`,
    where: sql`coalesce(${destinationAllowed}, false) and (select fits from room)`,
    roleAfter: sql`(select role from destination)`,
    after: sql`requota as (update ${attachments} set owner_id = ${newPayer} where note_id in (select id from updated))`,
    columns: sql`(select count(*) from destination)::int as "destinationFound",
      coalesce(${destinationAllowed}, false) as "destinationAllowed", (select fits from room) as fits`,
    // A notebook the caller cannot see is 404; somewhere they may not put it (a notebook they only
    // view, or loose when it is not their note) is 403.
    refuse: (row) => (!row.destinationFound ? missing("notebook") : !row.destinationAllowed ? forbidden : undefined),
    explain: (row) => (row.fits === false ? refused("over-quota") : undefined),
  };
}

/** Makes the kept version `version` current again, as a new version; the one it replaces is kept too. */
export function restoreVersion(version: number): NoteChangePart {
  return {
    action: "revision.restore",
    set: [
      sql`title = (select title from revision)`,
      sql`content = (select content from revision)`,
      sql`tags = (select tags from revision)`,
    ],
    with: revisionToRestore(version),
    where: sql`exists (select 1 from revision)`,
    rewrites: { merge: false },
    columns: sql`(select count(*) from revision)::int as "revisionFound"`,
    explain: (row) => (row.revisionFound === 0 ? missing("revision") : undefined),
  };
}

/**
 * CTE `revised`, for a statement whose CTEs `access` (noteAccessForWrite: the version being replaced,
 * read under the lock) and `updated` (the change, empty when it did not happen) come before it. Who
 * wrote the text and when are the note's edited_by and content_updated_at, which only changes of the
 * text move: a pin, a move or a new attachment by someone else neither hides nor freshens a version.
 * `merge` false (a restore) keeps the replaced version whoever wrote it and when: undoing a restore
 * must stay possible.
 */
export const keepReplacedVersion = ({ merge }: { merge: boolean }) => sql`revised as (
  insert into ${noteRevisions} (note_id, version, title, content, tags, edited_by, created_at)
  select a.id, a.version, a.title, a.content, a.tags, coalesce(a.edited_by, a.owner_id), a.content_updated_at
  from access a
  where exists (select 1 from updated)
    ${
      merge
        ? sql`and not (
            coalesce(a.edited_by, a.owner_id) = (select id from me)
            and a.content_updated_at > now() - make_interval(secs => ${NOTE_REVISIONS.mergeWithinSeconds})
          )`
        : sql``
    }
  on conflict (note_id, version) do nothing
)`;

/** CTE `revision` (title, content, tags): the note's kept version `version`, for a restore. */
export const revisionToRestore = (version: number) => sql`revision as (
  select title, content, tags from ${noteRevisions}
  where note_id = (select id from access) and version = ${version}
)`;

type AllowedColumn = `allowed${number}`;
const allowedColumn = (index: number): AllowedColumn => `allowed${index}`;

/**
 * Applies `parts` to the note `noteId` in one statement. `versions`: the If-Match versions, any of
 * which may match; undefined when there is no If-Match. Reports the note's public copies as stale when
 * it was or is published.
 */
export async function changeNote(
  db: Database,
  caller: SignedInCaller,
  noteId: string,
  parts: NoteChangePart[],
  versions: number[] | undefined,
): Promise<Outcome<NoteRecord, ChangeRefusal>> {
  const verdicts = parts.map((part) => permits(part.action, { role: sql`access.role`, self: sql`access.owner_id` }));
  const rewrites = parts.find((part) => part.rewrites)?.rewrites;
  const set = [...parts.flatMap((part) => part.set), sql`version = n.version + 1`, sql`updated_at = now()`];
  if (rewrites) set.push(sql`edited_by = (select id from me)`, sql`content_updated_at = now()`);
  const roleAfter = parts.find((part) => part.roleAfter)?.roleAfter ?? sql`access.role`;
  const optional = (fragments: (SQL | undefined)[], before: SQL) =>
    sql.join(
      fragments.flatMap((fragment) => (fragment ? [sql`${before}${fragment}`] : [])),
      sql` `,
    );

  const { rows } = await db.execute<Row>(
    asCaller(caller, {
      with: sql`${noteAccessForWrite(noteId)} ${optional(
        parts.map((part) => part.with),
        sql`, `,
      )},
        updated as (
          update ${notes} n set ${sql.join(set, sql`, `)}
          from access where n.id = access.id ${optional(verdicts, sql`and `)}
            ${optional(
              parts.map((part) => part.where),
              sql`and `,
            )} ${ifVersionIn(versions)}
          returning n.*, ${roleAfter} as role
        ) ${optional(
          parts.map((part) => part.after),
          sql`, `,
        )}
        ${rewrites ? sql`, ${keepReplacedVersion(rewrites)}` : sql``}`,
      select: sql.join(
        [
          sql`(select version from access) as "currentVersion", (select role from access) as "callerRole"`,
          sql`(select visibility = 'public' from access) as "wasPublic"`,
          ...parts.map((part, i) => sql`${accessAllows(part.action)} as ${sql.identifier(allowedColumn(i))}`),
          ...parts.flatMap((part) => (part.columns ? [part.columns] : [])),
          noteColumns,
        ],
        sql`, `,
      ),
      from: sql`left join updated n on true`,
    }),
  );
  const row = rows[0];
  if (!row) return unauthenticated;
  for (const [i, part] of parts.entries()) {
    const refusal = denied(part.action, { ...row, allowed: row[allowedColumn(i)] ?? null }) ?? part.refuse?.(row);
    if (refusal) return refusal;
  }
  const { id } = row;
  if (id === null) {
    for (const part of parts) {
      const reason = part.explain?.(row);
      if (reason) return reason;
    }
    return stale(row.currentVersion);
  }
  const note = Object.fromEntries(
    Object.keys(noteFields).map((name) => [name, row[name as keyof NoteRecord]]),
  ) as NoteRecord;
  return done(note, publicNoteChanged(id, Boolean(row.wasPublic) || note.visibility === "public"));
}

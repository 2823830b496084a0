import { deleteObjectsInBackground } from "../../attachments/delete-objects";
import type { WriteResult } from "../../db/queries/notes";
import * as queries from "../../db/queries/notes";
import { decodeCursor, encodeCursor } from "../../lib/cursor";
import { etagFor, ifMatchVersions, ifNoneMatchHits } from "../../lib/etag";
import { notFound, Problem, problemType, sessionEnded } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/route-handler";
import type { Note } from "./note.schemas";
import type * as routes from "./notes.routes";

const noSuchNote = () => notFound("No note with this id.");
const stale = (currentVersion: number) =>
  new Problem(412, {
    type: problemType("stale-version"),
    detail: "The note changed since the ETag in If-Match; fetch it again and reapply your change.",
    headers: { ETag: etagFor(currentVersion) },
  });

/** The note a write or read produced, or the problem that explains why there is none. */
function noteOrThrow(result: WriteResult): Note {
  if (result.kind === "unauthenticated") throw sessionEnded();
  if (result.kind === "missing") throw noSuchNote();
  if (result.kind === "stale") throw stale(result.currentVersion);
  return result.note;
}

/** If-Match as the list of versions the SQL must see; `*` only asks that the note exist. */
function requiredVersions(header: string | undefined): number[] | undefined {
  const versions = ifMatchVersions(header);
  return versions === "any" ? undefined : versions;
}

export const createNote: AppRouteHandler<typeof routes.createNote> = async (c) => {
  const body = c.req.valid("json");
  const note = noteOrThrow(
    await queries.insertNote(c.var.db, c.var.auth, {
      title: body.title,
      content: body.content,
      tags: body.tags ?? [],
      pinned: body.pinned ?? false,
    }),
  );
  return c.json(note, 201, { Location: `/v1/notes/${note.id}`, ETag: etagFor(note.version) });
};

export const getNote: AppRouteHandler<typeof routes.getNote> = async (c) => {
  const note = noteOrThrow(await queries.findNote(c.var.db, c.var.auth, c.req.valid("param").id));
  const etag = etagFor(note.version);
  if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { ETag: etag });
  return c.json(note, 200, { ETag: etag });
};

export const updateNote: AppRouteHandler<typeof routes.updateNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const note = noteOrThrow(
    await queries.updateNote(c.var.db, c.var.auth, c.req.valid("param").id, c.req.valid("json"), versions),
  );
  return c.json(note, 200, { ETag: etagFor(note.version) });
};

export const deleteNote: AppRouteHandler<typeof routes.deleteNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const { kind: outcome, objectKeys } = await queries.deleteNote(
    c.var.db,
    c.var.auth,
    c.req.valid("param").id,
    versions,
  );
  if (outcome === "unauthenticated") throw sessionEnded();
  if (outcome === "missing") throw noSuchNote();
  if (outcome === "stale") {
    // Only the version is known to differ; the current ETag comes with the next GET.
    throw new Problem(412, {
      type: problemType("stale-version"),
      detail: "The note changed since the ETag in If-Match.",
    });
  }
  deleteObjectsInBackground(c.env.ATTACHMENTS, c.executionCtx, objectKeys);
  return c.body(null, 204);
};

export const listNotes: AppRouteHandler<typeof routes.listNotes> = async (c) => {
  const filters = c.req.valid("query");
  const { limit: _, cursor, ...listing } = filters;
  // The pepper is never rotated (that would void every password), so cursors outlive deploys.
  const secret = c.var.config.PASSWORD_PEPPER;
  const ranked = filters.q !== undefined;
  const after = cursor ? await decodeCursor(cursor, { listing, ranked, secret }) : undefined;
  const rows = await queries.listNotes(c.var.db, c.var.auth, filters, after);
  if (rows === "unauthenticated") throw sessionEnded();
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > filters.limit && last
      ? await encodeCursor({ time: last.cursorTime, id: last.id, rank: last.rank ?? undefined }, listing, secret)
      : null;
  return c.json({ items: page.map(({ cursorTime: _, rank: __, ...note }) => note), nextCursor }, 200);
};

import * as queries from "../../db/queries/notes";
import { moveNote } from "../../db/queries/trash";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { purgePublicCopies } from "../../lib/edge-cache";
import { etagFor, ifNoneMatchHits, requiredVersions } from "../../lib/etag";
import { storageQuotaExceeded } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { valueOrThrow } from "../outcome";
import type * as routes from "./notes.routes";

const asNote = {
  noun: "note",
  missing: (what: string | undefined) => (what === "notebook" ? "No notebook with this id." : "No note with this id."),
};

export const createNote: AppRouteHandler<typeof routes.createNote> = async (c) => {
  const body = c.req.valid("json");
  const note = valueOrThrow(
    await queries.insertNote(c.var.db, c.var.auth, {
      title: body.title,
      content: body.content,
      tags: body.tags ?? [],
      pinned: body.pinned ?? false,
      notebookId: body.notebookId ?? null,
    }),
    asNote,
  );
  return c.json(note, 201, { Location: `/v1/notes/${note.id}`, ETag: etagFor(note.version) });
};

export const getNote: AppRouteHandler<typeof routes.getNote> = async (c) => {
  const note = valueOrThrow(await queries.findNote(c.var.db, c.var.auth, c.req.valid("param").id), asNote);
  const etag = etagFor(note.version);
  if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { ETag: etag });
  return c.json(note, 200, { ETag: etag });
};

export const updateNote: AppRouteHandler<typeof routes.updateNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const note = valueOrThrow(
    await queries.updateNote(
      c.var.db,
      c.var.auth,
      c.req.valid("param").id,
      c.req.valid("json"),
      versions,
      c.var.config.USER_STORAGE_QUOTA_BYTES,
    ),
    { ...asNote, refused: () => storageQuotaExceeded(c.var.config.USER_STORAGE_QUOTA_BYTES) },
  );
  // Edited, published or unpublished: a cached public copy would be stale.
  const unpublishing = c.req.valid("json").visibility === "private";
  // Only a note that is or was public has copies (a private note's edit costs no cache write).
  if (note.visibility === "public" || unpublishing) await purgePublicCopies(c, { notes: [note.id], feed: true });
  return c.json(note, 200, { ETag: etagFor(note.version) });
};

export const deleteNote: AppRouteHandler<typeof routes.deleteNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const { wasPublic } = valueOrThrow(
    await moveNote(c.var.db, c.var.auth, c.req.valid("param").id, "trash", versions),
    asNote,
  );
  if (wasPublic) await purgePublicCopies(c, { notes: [c.req.valid("param").id], feed: true });
  return c.body(null, 204);
};

export const listNotes: AppRouteHandler<typeof routes.listNotes> = async (c) => {
  const filters = c.req.valid("query");
  const { limit: _, cursor, ...listing } = filters;
  // The pepper is never rotated (that would void every password), so cursors outlive deploys.
  const secret = c.var.config.PASSWORD_PEPPER;
  const ranked = filters.q !== undefined;
  const after = cursor ? await decodeCursor(cursor, { listing, ranked, secret }) : undefined;
  const rows = valueOrThrow(await queries.listNotes(c.var.db, c.var.auth, filters, after), asNote);
  return c.json(await keysetPage(rows, filters.limit, { listing, secret }), 200);
};

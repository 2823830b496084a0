import * as queries from "../../db/queries/notes";
import { trashNote } from "../../db/queries/trash";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { etagFor, ifNoneMatchHits, requiredVersions } from "../../lib/etag";
import { storageQuotaExceeded } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./notes.routes";

const asNote = {
  noun: "note",
  missing: (what: string | undefined) => (what === "notebook" ? "No notebook with this id." : "No note with this id."),
};

export const createNote: AppRouteHandler<typeof routes.createNote> = async (c) => {
  const body = c.req.valid("json");
  const note = valueOrThrow(
    await queries.insertNote(c.var.db, c.var.caller, {
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
  const note = valueOrThrow(await queries.findNote(c.var.db, c.var.caller, c.req.valid("param").id), asNote);
  const etag = etagFor(note.version);
  if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { ETag: etag });
  return c.json(note, 200, { ETag: etag });
};

export const updateNote: AppRouteHandler<typeof routes.updateNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const quota = c.var.config.USER_STORAGE_QUOTA_BYTES;
  const note = await written(
    c,
    await queries.editNote(c.var.db, c.var.caller, c.req.valid("param").id, c.req.valid("json"), versions, quota),
    { ...asNote, refused: () => storageQuotaExceeded(quota) },
  );
  return c.json(note, 200, { ETag: etagFor(note.version) });
};

export const deleteNote: AppRouteHandler<typeof routes.deleteNote> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  await written(c, await trashNote(c.var.db, c.var.caller, c.req.valid("param").id, versions), asNote);
  return c.body(null, 204);
};

export const listNotes: AppRouteHandler<typeof routes.listNotes> = async (c) => {
  const filters = c.req.valid("query");
  const { limit: _, cursor, ...listing } = filters;
  // The pepper is never rotated (that would void every password), so cursors outlive deploys.
  const secret = c.var.config.PASSWORD_PEPPER;
  const ranked = filters.q !== undefined;
  const after = cursor ? await decodeCursor(cursor, { listing, ranked, secret }) : undefined;
  const rows = valueOrThrow(await queries.listNotes(c.var.db, c.var.caller, filters, after), asNote);
  return c.json(await keysetPage(rows, filters.limit, { listing, secret }), 200);
};

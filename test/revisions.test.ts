import type { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes/note.schemas";
import type { RevisionSchema } from "../src/routes/revisions/revisions.routes";
import { type Account, signUp } from "./support/accounts";
import { roundTripsDuring, testDatabase } from "./support/api";
import { runScheduledSweep, upload } from "./support/attachments";
import { addMember, createNotebook } from "./support/notebooks";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

type Revision = z.infer<typeof RevisionSchema>;

const revisionsOf = async (user: Account, noteId: string) =>
  (await (await user.request(`/v1/notes/${noteId}/revisions?limit=100`)).json<{ items: Revision[] }>()).items;
/** Moves the note's current version out of the merge window, as if its author had paused. */
const pause = (noteId: string) =>
  testDatabase().execute(
    sql`update notes set content_updated_at = content_updated_at - interval '2 minutes' where id = ${noteId}`,
  );

describe("revisions", () => {
  it("keeps the replaced version on every change of title, content or tags, and on nothing else", async () => {
    const author = await signUp();
    const note = await createNote(author.request, { title: "v1", content: "one", tags: ["a"] });
    for (const patch of [{ title: "v2" }, { content: "three" }, { tags: ["b"] }]) {
      await pause(note.id);
      expect((await author.request(`/v1/notes/${note.id}`, patchJson(patch))).status).toBe(200);
    }
    await pause(note.id);
    // Not kept: a change of something else, a stale If-Match, a refused body.
    expect((await author.request(`/v1/notes/${note.id}`, patchJson({ pinned: true }))).status).toBe(200);
    await pause(note.id);
    await expectProblem(
      await author.request(`/v1/notes/${note.id}`, patchJson({ title: "x" }, { "If-Match": '"v1"' })),
      412,
    );
    await expectProblem(await author.request(`/v1/notes/${note.id}`, patchJson({ title: "" })), 422);

    const kept = await revisionsOf(author, note.id);
    expect(kept.map(({ version, title, content, tags }) => ({ version, title, content, tags }))).toEqual([
      { version: 3, title: "v2", content: "three", tags: ["a"] },
      { version: 2, title: "v2", content: "one", tags: ["a"] },
      { version: 1, title: "v1", content: "one", tags: ["a"] },
    ]);
    expect(kept.every((revision) => revision.editedBy === author.user.id)).toBe(true);
  });

  it("merges one person's edits within a minute, and keeps someone else's version apart", async () => {
    const [owner, editor] = await Promise.all([signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, editor, "editor");
    const note = await createNote(owner.request, { notebookId: notebook.id, content: "draft" });
    for (const content of ["draft 2", "draft 3", "draft 4"]) {
      await owner.request(`/v1/notes/${note.id}`, patchJson({ content }));
    }
    expect(await revisionsOf(owner, note.id)).toEqual([]);
    await editor.request(`/v1/notes/${note.id}`, patchJson({ content: "reviewed" }));
    const [kept] = await revisionsOf(editor, note.id);
    expect(kept).toMatchObject({ content: "draft 4", editedBy: owner.user.id });
  });

  it("judges a merge by who wrote the text and when, not by someone else's pin or upload", async () => {
    const [owner, editor] = await Promise.all([signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, editor, "editor");
    const note = await createNote(owner.request, { notebookId: notebook.id, content: "owner's text" });
    await editor.request(`/v1/notes/${note.id}`, patchJson({ pinned: true }));
    await editor.request(`/v1/notes/${note.id}`, patchJson({ content: "editor's text" }));
    expect((await revisionsOf(owner, note.id)).map((revision) => revision.content)).toEqual(["owner's text"]);

    // An hour passes (for the note and its history alike); an upload by the owner does not make the
    // editor's text fresh.
    await testDatabase().execute(sql`
      update notes set content_updated_at = content_updated_at - interval '1 hour' where id = ${note.id}`);
    await testDatabase().execute(sql`
      update note_revisions set created_at = created_at - interval '1 hour' where note_id = ${note.id}`);
    await upload(owner.request, note.id, "a file");
    await editor.request(`/v1/notes/${note.id}`, patchJson({ content: "editor's second text" }));
    expect((await revisionsOf(owner, note.id)).map((revision) => revision.content)).toEqual([
      "editor's text",
      "owner's text",
    ]);
  });

  it("restores a version as a new one, honouring If-Match, and keeps the one it replaced", async () => {
    const author = await signUp();
    const note = await createNote(author.request, { title: "first" });
    await pause(note.id);
    const second = await (await author.request(`/v1/notes/${note.id}`, patchJson({ title: "second" }))).json<Note>();
    const restore = (headers: Record<string, string> = {}) =>
      author.request(`/v1/notes/${note.id}/revisions/1/restore`, { method: "POST", headers });

    await expectProblem(await restore({ "If-Match": '"v1"' }), 412);
    const restored = await restore({ "If-Match": `"v${second.version}"` });
    expect(restored.status).toBe(200);
    expect(restored.headers.get("etag")).toBe(`"v${second.version + 1}"`);
    expect(await restored.json()).toMatchObject({ title: "first", version: second.version + 1 });
    // A restore keeps what it replaced even within the author's minute: it can always be undone.
    expect((await author.request(`/v1/notes/${note.id}/revisions`)).status).toBe(200);
    const titles = async () => (await revisionsOf(author, note.id)).map((revision) => revision.title);
    expect(await titles()).toEqual(["second", "first"]);
    expect((await restore()).status).toBe(200);
    expect(await titles()).toEqual(["first", "second", "first"]);
    const one = await author.request(`/v1/notes/${note.id}/revisions/1`);
    expect(await one.json()).toMatchObject({ version: 1, title: "first" });
    await expectProblem(await author.request(`/v1/notes/${note.id}/revisions/99/restore`, { method: "POST" }), 404);
    await expectProblem(await author.request(`/v1/notes/${note.id}/revisions/99`), 404);
  });

  it("lets readers read the history and only editors restore it; a trashed note has none to show", async () => {
    const [owner, viewer] = await Promise.all([signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, viewer, "viewer");
    const note = await createNote(owner.request, { notebookId: notebook.id, title: "first" });
    await pause(note.id);
    await owner.request(`/v1/notes/${note.id}`, patchJson({ title: "second" }));
    expect(await revisionsOf(viewer, note.id)).toHaveLength(1);
    await expectProblem(await viewer.request(`/v1/notes/${note.id}/revisions/1/restore`, { method: "POST" }), 403);
    await owner.request(`/v1/notes/${note.id}`, { method: "DELETE" });
    await expectProblem(await owner.request(`/v1/notes/${note.id}/revisions`), 404);
  });

  it("keeps the newest 100 per note when the sweep runs", async () => {
    const author = await signUp();
    const note = await createNote(author.request);
    await testDatabase().execute(sql`
      insert into note_revisions (note_id, version, title, content, tags, created_at)
      select ${note.id}, v, 'v' || v, '', '{}', now() - make_interval(mins => 200 - v) from generate_series(1, 130) v`);
    await runScheduledSweep();
    const { rows } = await testDatabase().execute<{ oldest: number; kept: number }>(sql`
      select min(version)::int as oldest, count(*)::int as kept from note_revisions where note_id = ${note.id}`);
    expect(rows).toEqual([{ oldest: 31, kept: 100 }]);
  });

  it("costs no extra round trip: a change and its revision are one statement", async () => {
    const author = await signUp();
    const note = await createNote(author.request);
    await pause(note.id);
    expect(await roundTripsDuring(() => author.request(`/v1/notes/${note.id}`, patchJson({ content: "new" })))).toBe(1);
    expect(await revisionsOf(author, note.id)).toHaveLength(1);
    expect(await roundTripsDuring(() => author.request(`/v1/notes/${note.id}/revisions`))).toBe(1);
  });
});

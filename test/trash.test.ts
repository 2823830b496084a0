import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes/note.schemas";
import { type Account, json, signUp } from "./support/accounts";
import { api, roundTripsDuring, testDatabase } from "./support/api";
import { objectsOf, runScheduledSweep, upload } from "./support/attachments";
import { addMember, createNotebook } from "./support/notebooks";
import { createNote, listAll, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

const trash = (user: Account, noteId: string) => user.request(`/v1/notes/${noteId}`, { method: "DELETE" });
const restore = (user: Account, noteId: string, headers: Record<string, string> = {}) =>
  user.request(`/v1/trash/${noteId}/restore`, { method: "POST", headers });
const trashed = async (user: Account) =>
  (await (await user.request("/v1/trash")).json<{ items: Note[] }>()).items.map((note) => note.id);

describe("the trash", () => {
  it("hides a trashed note from every read, edit, download, search, the public feed and its share links", async () => {
    const author = await signUp();
    const note = await createNote(author.request, { title: "Quarterly plan", tags: ["plans"] });
    const attachment = await upload(author.request, note.id, "numbers");
    await author.request(`/v1/notes/${note.id}`, patchJson({ visibility: "public" }));
    const link = await (await author.request(`/v1/notes/${note.id}/share-links`, json({}))).json<{ token: string }>();
    expect((await api(`/v1/shared/${link.token}`)).status).toBe(200);
    expect((await api(`/v1/public/notes/${note.id}`)).status).toBe(200);

    expect((await trash(author, note.id)).status).toBe(204);
    await expectProblem(await author.request(`/v1/notes/${note.id}`), 404);
    await expectProblem(await author.request(`/v1/notes/${note.id}`, patchJson({ title: "x" })), 404);
    await expectProblem(await author.request(`/v1/notes/${note.id}/attachments/${attachment.id}`), 404);
    await expectProblem(await author.request(`/v1/notes/${note.id}/attachments`, { method: "GET" }), 404);
    expect(await listAll(author.request)).toEqual([]);
    expect(await listAll(author.request, "q=quarterly")).toEqual([]);
    expect(await listAll(author.request, "tag=plans")).toEqual([]);
    await expectProblem(await api(`/v1/public/notes/${note.id}`), 404);
    expect(await (await api("/v1/public/notes?tag=plans")).text()).not.toContain(note.id);
    await expectProblem(await api(`/v1/shared/${link.token}`), 404);
    await expectProblem(await api(`/v1/shared/${link.token}/attachments/${attachment.id}`), 404);
    await expectProblem(await trash(author, note.id), 404);

    expect(await trashed(author)).toEqual([note.id]);
    expect((await restore(author, note.id)).status).toBe(204);
    expect(await trashed(author)).toEqual([]);
    // Back where it was, with its publication, links and files.
    expect((await author.request(`/v1/notes/${note.id}`)).status).toBe(200);
    expect((await api(`/v1/public/notes/${note.id}`)).status).toBe(200);
    expect((await api(`/v1/shared/${link.token}`)).status).toBe(200);
    expect((await author.request(`/v1/notes/${note.id}/attachments/${attachment.id}`)).status).toBe(200);
  });

  it("lets whoever can still edit the note restore or purge it, honouring If-Match", async () => {
    const [owner, editor, viewer] = await Promise.all([signUp(), signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, editor, "editor");
    await addMember(owner, notebook.id, viewer, "viewer");
    const note = await createNote(editor.request, { notebookId: notebook.id });
    await expectProblem(await trash(viewer, note.id), 403);
    expect((await trash(editor, note.id)).status).toBe(204);
    expect(await trashed(owner)).toEqual([note.id]);
    expect(await trashed(viewer)).toEqual([]);
    await expectProblem(await restore(viewer, note.id), 403);

    // The editor loses the role: the trash is the notebook's, so they no longer restore it; the owner does.
    await owner.request(`/v1/notebooks/${notebook.id}/members/${editor.user.id}`, { method: "DELETE" });
    expect(await trashed(editor)).toEqual([]);
    await expectProblem(await restore(editor, note.id), 404);
    await expectProblem(await restore(owner, note.id, { "If-Match": '"v1"' }), 412);
    expect((await restore(owner, note.id, { "If-Match": '"v2"' })).status).toBe(204);
    expect(await (await owner.request(`/v1/notes/${note.id}`)).json()).toMatchObject({
      notebookId: notebook.id,
      ownerId: editor.user.id,
      trashedAt: null,
      version: 3,
    });
  });

  it("keeps the bytes (and counts them in the quota) until the purge, which removes them from R2", async () => {
    const author = await signUp();
    const note = await createNote(author.request);
    await upload(author.request, note.id, "kept until purged");
    await trash(author, note.id);
    expect(await objectsOf(author.user.id)).toHaveLength(1);
    expect((await author.request(`/v1/trash/${note.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await objectsOf(author.user.id)).toEqual([]);
    await expectProblem(await restore(author, note.id), 404);
  });

  it("is purged by the sweep after 30 days, bytes included", async () => {
    const author = await signUp();
    const [old, recent] = [await createNote(author.request), await createNote(author.request)];
    await upload(author.request, old.id, "old bytes");
    await upload(author.request, recent.id, "recent bytes");
    await Promise.all([trash(author, old.id), trash(author, recent.id)]);
    await testDatabase().execute(sql`update notes set trashed_at = now() - interval '31 days' where id = ${old.id}`);
    await runScheduledSweep();
    expect(await trashed(author)).toEqual([recent.id]);
    expect(await objectsOf(author.user.id)).toHaveLength(1);
  });

  it("costs one round trip per request", async () => {
    const author = await signUp();
    const note = await createNote(author.request);
    for (const [name, send] of [
      ["DELETE /v1/notes/{id}", () => trash(author, note.id)],
      ["GET /v1/trash", () => author.request("/v1/trash")],
      ["POST /v1/trash/{id}/restore", () => restore(author, note.id)],
    ] as const) {
      expect(await roundTripsDuring(send), name).toBe(1);
    }
  });
});

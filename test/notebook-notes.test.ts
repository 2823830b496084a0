import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes/note.schemas";
import { type Account, authed, json } from "./support/accounts";
import { roundTripsDuring, testDatabase } from "./support/api";
import { objectsOf, rawUpload, upload } from "./support/attachments";
import { requestBehindCommit } from "./support/locks";
import { addMember, createNotebook, team } from "./support/notebooks";
import { createNote, listAll, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

// Notes in notebooks: what members see and may do with them, moves, quotas, races with removals,
// and what account deletion takes. The per-route role rules are in role-matrix.test.ts.

const removeMember = (owner: Account, notebookId: string, userId: string) =>
  owner.request(`/v1/notebooks/${notebookId}/members/${userId}`, { method: "DELETE" });

describe("listing", () => {
  it("lists loose notes and the notes of every notebook the caller is in, each with the caller's role", async () => {
    const { owner, editor, viewer, notebook } = await team();
    const own = await createNote(viewer.request, { title: "mine" });
    const shared = await createNote(editor.request, { title: "team plan", notebookId: notebook.id });
    const ownersLoose = await createNote(owner.request, { title: "owner's own" });

    const all = await listAll(viewer.request);
    expect(all.map((note) => [note.id, note.role])).toEqual([
      [shared.id, "viewer"],
      [own.id, "owner"],
    ]);
    expect((await listAll(viewer.request, "scope=own")).map((note) => note.id)).toEqual([own.id]);
    expect((await listAll(viewer.request, "scope=shared")).map((note) => note.id)).toEqual([shared.id]);
    expect((await listAll(viewer.request, `notebookId=${notebook.id}`)).map((note) => note.id)).toEqual([shared.id]);
    expect((await listAll(viewer.request, "q=plan")).map((note) => note.id)).toEqual([shared.id]);
    // The owner's role on a note someone else wrote in their notebook is owner; their loose notes stay theirs.
    expect((await listAll(owner.request, "scope=own")).map((note) => note.id)).toEqual([ownersLoose.id, shared.id]);
    expect((await listAll(editor.request)).map((note) => note.id)).toEqual([shared.id]);
  });

  it("pages through loose and shared notes without repeats or gaps", async () => {
    const { owner, editor, viewer, notebook } = await team();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const author = i % 2 ? owner : editor;
      created.push((await createNote(author.request, { title: `n${i}`, notebookId: notebook.id })).id);
      created.push((await createNote(viewer.request, { title: `loose ${i}` })).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/notes?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await (await viewer.request(url)).json<{ items: Note[]; nextCursor: string | null }>();
      seen.push(...page.items.map((note) => note.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it("shows a removed member nothing of the notebook, from the next request on", async () => {
    const { owner, viewer, notebook } = await team();
    const note = await createNote(owner.request, { notebookId: notebook.id });
    expect((await viewer.request(`/v1/notes/${note.id}`)).status).toBe(200);
    expect((await removeMember(owner, notebook.id, viewer.user.id)).status).toBe(204);
    await expectProblem(await viewer.request(`/v1/notes/${note.id}`), 404);
    expect(await listAll(viewer.request)).toEqual([]);
    expect(await listAll(viewer.request, `notebookId=${notebook.id}`)).toEqual([]);
  });

  it("lets a role change count on the very next request", async () => {
    const { owner, viewer, notebook } = await team();
    const note = await createNote(owner.request, { notebookId: notebook.id });
    await expectProblem(await viewer.request(`/v1/notes/${note.id}`, patchJson({ title: "x" })), 403);
    const promoted = await owner.request(
      `/v1/notebooks/${notebook.id}/members/${viewer.user.id}`,
      json({ role: "editor" }, { method: "PATCH" }),
    );
    expect(promoted.status).toBe(200);
    expect((await viewer.request(`/v1/notes/${note.id}`, patchJson({ title: "x" }))).status).toBe(200);
  });
});

describe("moving notes", () => {
  it("moves an editor's loose note into the notebook: the creator stays ownerId, the bytes go to the owner's quota", async () => {
    const { owner, editor, notebook } = await team();
    const note = await createNote(editor.request);
    const attachment = await upload(editor.request, note.id, "some bytes");
    const moved = await editor.request(`/v1/notes/${note.id}`, patchJson({ notebookId: notebook.id }));
    expect(moved.status).toBe(200);
    expect(await moved.json()).toMatchObject({ notebookId: notebook.id, ownerId: editor.user.id, role: "editor" });
    const quota = async () =>
      (
        await testDatabase().execute<{ owner_id: string }>(
          sql`select owner_id from attachments where id = ${attachment.id}`,
        )
      ).rows[0]?.owner_id;
    expect(await quota()).toBe(owner.user.id);

    // Only its own creator may make it loose again, and then it is theirs alone.
    await expectProblem(await owner.request(`/v1/notes/${note.id}`, patchJson({ notebookId: null })), 403);
    const out = await editor.request(`/v1/notes/${note.id}`, patchJson({ notebookId: null }));
    expect(await out.json()).toMatchObject({ notebookId: null, role: "owner" });
    expect(await quota()).toBe(editor.user.id);
    await expectProblem(await owner.request(`/v1/notes/${note.id}`), 404);
  });

  it("refuses a move whose bytes would pass the destination payer's quota, and moves byte-less notes anyway", async () => {
    const { owner, editor, notebook } = await team();
    const quota = { USER_STORAGE_QUOTA_BYTES: "20" };
    const move = (noteId: string) =>
      authed(editor.tokens.access_token, `/v1/notes/${noteId}`, patchJson({ notebookId: notebook.id }), quota);
    await upload(owner.request, (await createNote(owner.request)).id, "0123456789abcdef");
    const heavy = await createNote(editor.request);
    const attachment = await upload(editor.request, heavy.id, "0123456789");

    const problem = await expectProblem(await move(heavy.id), 413);
    expect(problem.type).toBe("urn:cloud-notes:problem:storage-quota");
    const stored = await testDatabase().execute(sql`
      select n.notebook_id, a.owner_id from notes n join attachments a on a.note_id = n.id where a.id = ${attachment.id}`);
    expect(stored.rows).toEqual([{ notebook_id: null, owner_id: editor.user.id }]);
    expect((await move((await createNote(editor.request)).id)).status).toBe(200);
  });

  it("needs an editing role at both ends", async () => {
    const { owner, editor, viewer, notebook } = await team();
    const other = await createNotebook(owner, "Other");
    await addMember(owner, other.id, editor, "viewer");
    const inTeam = await createNote(editor.request, { notebookId: notebook.id });
    const loose = await createNote(viewer.request);

    const problem = await expectProblem(
      await editor.request(`/v1/notes/${inTeam.id}`, patchJson({ notebookId: other.id })),
      403,
    );
    expect(problem.type).toBe("urn:cloud-notes:problem:forbidden");
    await expectProblem(await viewer.request(`/v1/notes/${loose.id}`, patchJson({ notebookId: notebook.id })), 403);
    const unknown = crypto.randomUUID();
    const missing = await expectProblem(
      await editor.request(`/v1/notes/${inTeam.id}`, patchJson({ notebookId: unknown })),
      404,
    );
    expect(missing.detail).toBe("No notebook with this id.");
    await expectProblem(
      await viewer.request("/v1/notes", json({ title: "x", content: "", notebookId: notebook.id })),
      403,
    );
    expect((await owner.request(`/v1/notes/${inTeam.id}`, patchJson({ notebookId: other.id }))).status).toBe(200);
    const unchanged = await testDatabase().execute(sql`select notebook_id from notes where id = ${loose.id}`);
    expect(unchanged.rows).toEqual([{ notebook_id: null }]);
  });
});

describe("attachments in a notebook", () => {
  it("counts an editor's upload against the notebook owner's quota", async () => {
    const { owner, editor, notebook } = await team();
    const quota = { USER_STORAGE_QUOTA_BYTES: "20" };
    const ownersNote = await createNote(owner.request);
    await upload(owner.request, ownersNote.id, "0123456789abcdef");
    const shared = await createNote(editor.request, { notebookId: notebook.id });
    const refused = await authed(
      editor.tokens.access_token,
      `/v1/notes/${shared.id}/attachments`,
      rawUpload("0123456789"),
      quota,
    );
    await expectProblem(refused, 413);
    // The same bytes fit in the editor's own, empty quota.
    const loose = await createNote(editor.request);
    const fits = await authed(
      editor.tokens.access_token,
      `/v1/notes/${loose.id}/attachments`,
      rawUpload("0123456789"),
      quota,
    );
    expect(fits.status).toBe(201);
  });

  it("lets viewers download and refuses their uploads before any byte is stored", async () => {
    const { editor, viewer, notebook } = await team();
    const note = await createNote(editor.request, { notebookId: notebook.id });
    const attachment = await upload(editor.request, note.id, "for everyone");
    const download = await viewer.request(`/v1/notes/${note.id}/attachments/${attachment.id}`);
    expect(new TextDecoder().decode(await download.arrayBuffer())).toBe("for everyone");
    await expectProblem(await viewer.request(`/v1/notes/${note.id}/attachments`, rawUpload("no")), 403);
    expect(await objectsOf(viewer.user.id)).toEqual([]);
  });
});

describe("races with a removal", () => {
  it("lands no edit after the removal is committed: an edit waiting on it answers 404", async () => {
    const { owner, editor, notebook } = await team();
    const note = await createNote(owner.request, { notebookId: notebook.id, title: "before" });
    // The edit reads the membership the removal is deleting, and waits for it.
    const edit = await requestBehindCommit(
      (tx) =>
        tx.execute(
          sql`delete from notebook_members where notebook_id = ${notebook.id} and user_id = ${editor.user.id}`,
        ),
      () => editor.request(`/v1/notes/${note.id}`, patchJson({ title: "after" })),
    );
    await expectProblem(edit, 404);
    const stored = await testDatabase().execute(sql`select title, version from notes where id = ${note.id}`);
    expect(stored.rows).toEqual([{ title: "before", version: 1 }]);
  });

  it("judges an edit that meets a move by where the note went: no role there, 404 and nothing written", async () => {
    const { owner, editor, notebook } = await team();
    const elsewhere = await createNotebook(owner, "Private");
    const note = await createNote(owner.request, { notebookId: notebook.id, title: "before" });
    const edit = await requestBehindCommit(
      (tx) =>
        tx.execute(sql`update notes set notebook_id = ${elsewhere.id}, version = version + 1 where id = ${note.id}`),
      () => editor.request(`/v1/notes/${note.id}`, patchJson({ title: "after" })),
    );
    await expectProblem(edit, 404);
    const stored = await testDatabase().execute(sql`select title from notes where id = ${note.id}`);
    expect(stored.rows).toEqual([{ title: "before" }]);
  });

  it("refuses an upload whose uploader was removed while the bytes streamed, and keeps no bytes", async () => {
    const { owner, editor, notebook } = await team();
    const note = await createNote(owner.request, { notebookId: notebook.id });
    const bytes = new TextEncoder().encode("late bytes");
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        // The reservation passed the role check; the owner removes the editor before the confirmation.
        for (let i = 0; i < 100; i++) {
          const { rows } = await testDatabase().execute(
            sql`select 1 from r2_outbox where object_key like ${`users/${editor.user.id}/%`}`,
          );
          if (rows.length) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        expect((await removeMember(owner, notebook.id, editor.user.id)).status).toBe(204);
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await editor.request(`/v1/notes/${note.id}/attachments`, {
      method: "POST",
      body,
      headers: { "Content-Type": "text/plain", "Content-Length": String(bytes.byteLength) },
    });
    await expectProblem(response, 404);
    const rows = await testDatabase().execute(sql`select 1 from attachments where note_id = ${note.id}`);
    expect(rows.rows).toEqual([]);
    expect(await objectsOf(editor.user.id)).toEqual([]);
  });
});

describe("account deletion", () => {
  const deleteAccount = (user: Account) =>
    user.request("/v1/users/me", json({ password: user.password }, { method: "DELETE" }));

  it("takes the notebooks an account owns with every note and byte in them; members' loose notes stay", async () => {
    const { owner, editor, notebook } = await team();
    const inNotebook = await createNote(editor.request, { notebookId: notebook.id });
    await upload(editor.request, inNotebook.id, "team bytes");
    const editorsLoose = await createNote(editor.request);
    expect((await deleteAccount(owner)).status).toBe(204);
    await expectProblem(await editor.request(`/v1/notes/${inNotebook.id}`), 404);
    await expectProblem(await editor.request(`/v1/notebooks/${notebook.id}`), 404);
    expect((await editor.request(`/v1/notes/${editorsLoose.id}`)).status).toBe(200);
    expect(await objectsOf(editor.user.id)).toEqual([]);
  });

  it("hands a member's notes in others' notebooks to the notebook's owner; takes the membership and invitations", async () => {
    const { owner, editor, notebook } = await team();
    const theirs = await createNote(editor.request, { notebookId: notebook.id });
    const ownersNote = await createNote(owner.request, { notebookId: notebook.id });
    const other = await createNotebook(owner, "Other");
    await owner.request(`/v1/notebooks/${other.id}/invitations`, json({ email: editor.email, role: "viewer" }));
    const attachment = await upload(editor.request, theirs.id, "team bytes");
    const editorsLoose = await createNote(editor.request);
    expect((await deleteAccount(editor)).status).toBe(204);
    const kept = await owner.request(`/v1/notes/${theirs.id}`);
    expect(await kept.json()).toMatchObject({ ownerId: owner.user.id, notebookId: notebook.id, attachmentCount: 1 });
    const download = await owner.request(`/v1/notes/${theirs.id}/attachments/${attachment.id}`);
    expect(new TextDecoder().decode(await download.arrayBuffer())).toBe("team bytes");
    expect((await owner.request(`/v1/notes/${ownersNote.id}`)).status).toBe(200);
    const loose = await testDatabase().execute(sql`select 1 from notes where id = ${editorsLoose.id}`);
    expect(loose.rows).toEqual([]);
    const left = await testDatabase().execute(sql`
      select (select count(*)::int from notebook_members where user_id = ${editor.user.id}) as memberships,
        (select count(*)::int from notebook_invitations where email = ${editor.email.toLowerCase()}) as invitations`);
    expect(left.rows).toEqual([{ memberships: 0, invitations: 0 }]);
  });
});

describe("round trips", () => {
  it("costs one round trip per note and attachment request reached through a membership", async () => {
    const { editor, notebook } = await team();
    const note = await createNote(editor.request, { notebookId: notebook.id });
    const attachment = await upload(editor.request, note.id, "bytes");
    const cases: [string, () => Promise<Response>][] = [
      ["POST /v1/notes", () => editor.request("/v1/notes", json({ title: "x", content: "", notebookId: notebook.id }))],
      ["GET /v1/notes", () => editor.request(`/v1/notes?notebookId=${notebook.id}&q=words`)],
      ["GET /v1/notes/{id}", () => editor.request(`/v1/notes/${note.id}`)],
      ["PATCH /v1/notes/{id}", () => editor.request(`/v1/notes/${note.id}`, patchJson({ title: "y" }))],
      ["GET attachments", () => editor.request(`/v1/notes/${note.id}/attachments`)],
      ["GET attachment", () => editor.request(`/v1/notes/${note.id}/attachments/${attachment.id}`)],
      [
        "DELETE attachment",
        () => editor.request(`/v1/notes/${note.id}/attachments/${attachment.id}`, { method: "DELETE" }),
      ],
      ["DELETE /v1/notes/{id}", () => editor.request(`/v1/notes/${note.id}`, { method: "DELETE" })],
    ];
    for (const [name, send] of cases) {
      expect(await roundTripsDuring(async () => (await send()).arrayBuffer()), name).toBe(1);
    }
  });
});

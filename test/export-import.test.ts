import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Manifest } from "../src/archive/manifest";
import type { Bindings } from "../src/env";
import { authed, json, signUp } from "./support/accounts";
import { testDatabase } from "./support/api";
import { exportOf, imported, importZip, text, unzip, zipBody, zipOf } from "./support/archives";
import { objectsOf, outboxKeys, randomBytes, sha256Hex, upload } from "./support/attachments";
import { addMember, createNotebook } from "./support/notebooks";
import { createNote, listAll } from "./support/notes";
import { expectProblem } from "./support/problem";
import { issueToken, withToken } from "./support/tokens";

const manifestOf = (files: Map<string, Uint8Array>) => JSON.parse(text(files.get("manifest.json"))) as Manifest;

async function countNotes(userId: string): Promise<number> {
  const { rows } = await testDatabase().execute<{ count: number }>(
    sql`select count(*)::int as count from notes where owner_id = ${userId}`,
  );
  return rows[0]?.count ?? -1;
}

describe("GET /v1/export", () => {
  it("streams a zip of Markdown with front matter, a folder per notebook, attachments and a manifest", async () => {
    const me = await signUp();
    const notebook = await createNotebook(me, "Work: plans/2025");
    const loose = await createNote(me.request, { title: "Groceries", content: "---\nmilk\n", tags: ["home"] });
    const filed = await createNote(me.request, { title: "Plan", content: "Ship it", notebookId: notebook.id });
    const bytes = randomBytes(70_000);
    await upload(me.request, filed.id, bytes, "diagram.png");
    const archived = await createNote(me.request, { title: "Old" });
    await me.request(`/v1/notes/${archived.id}`, { ...json({ archived: true }), method: "PATCH" });
    const trashed = await createNote(me.request, { title: "Gone" });
    await me.request(`/v1/notes/${trashed.id}`, { method: "DELETE" });
    await createNote((await signUp()).request, { title: "Someone else's" });

    const response = await me.request("/v1/export");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("content-disposition")).toMatch(
      /^attachment; filename="cloud-notes-\d{4}-\d\d-\d\d\.zip"/,
    );
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    const files = await unzip(new Uint8Array(await response.arrayBuffer()));

    expect([...files.keys()].sort()).toEqual(
      [
        "Groceries.md",
        "Old.md",
        "Work_ plans_2025/Plan.md",
        `_attachments/${filed.id}/diagram.png`,
        "manifest.json",
      ].sort(),
    );
    expect(text(files.get("Groceries.md"))).toBe(
      [
        "---",
        `id: "${loose.id}"`,
        'title: "Groceries"',
        "tags:",
        '  - "home"',
        "notebook: null",
        "notebookId: null",
        'visibility: "private"',
        "pinned: false",
        "archived: false",
        `created: "${loose.createdAt}"`,
        `updated: "${loose.updatedAt}"`,
        "attachments: []",
        "---",
        "---\nmilk\n",
      ].join("\n"),
    );
    expect(text(files.get("Work_ plans_2025/Plan.md"))).toContain(
      `notebook: "Work: plans/2025"\nnotebookId: "${notebook.id}"`,
    );
    expect(text(files.get("Work_ plans_2025/Plan.md"))).toContain(
      `attachments:\n  - "../_attachments/${filed.id}/diagram.png"`,
    );
    expect(files.get(`_attachments/${filed.id}/diagram.png`)).toEqual(bytes);
    const manifest = manifestOf(files);
    expect(manifest).toMatchObject({ format: "cloud-notes-export", version: 1 });
    expect(manifest.notes.find((note) => note.id === filed.id)).toMatchObject({
      path: "Work_ plans_2025/Plan.md",
      notebook: { id: notebook.id, name: "Work: plans/2025" },
      attachments: [{ filename: "diagram.png", size: 70_000, sha256: await sha256Hex(bytes) }],
    });
  });

  it("exports one notebook to its members, and answers 404 to anyone else", async () => {
    const owner = await signUp();
    const member = await signUp();
    const notebook = await createNotebook(owner, "Shared");
    await addMember(owner, notebook.id, member, "viewer");
    await createNote(owner.request, { title: "In it", notebookId: notebook.id });
    await createNote(owner.request, { title: "Loose" });
    const files = await exportOf(member.request, `?notebookId=${notebook.id}`);
    expect([...files.keys()].sort()).toEqual(["Shared/In it.md", "manifest.json"]);
    await expectProblem(await (await signUp()).request(`/v1/export?notebookId=${notebook.id}`), 404);
  });

  it("keeps names apart that only case or unsafe characters tell apart", { timeout: 30_000 }, async () => {
    const me = await signUp();
    for (const title of ["Note", "note", "NOTE", "a/b", "a:b", "CON", "..", " "])
      await createNote(me.request, { title: title.trim() || "x" });
    const names = [...(await exportOf(me.request)).keys()].filter((name) => name.endsWith(".md"));
    expect(new Set(names.map((name) => name.toLowerCase())).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[^/\\:*?"<>|]+\.md$/);
  });

  it("leaves attachments out for an API token that may not read them", async () => {
    const me = await signUp();
    const note = await createNote(me.request);
    await upload(me.request, note.id, "secret bytes");
    const token = await issueToken(me, { scopes: ["notes:read"] });
    const files = await exportOf(withToken(token.token));
    expect([...files.keys()].filter((name) => name.startsWith("_attachments/"))).toEqual([]);
    expect(manifestOf(files).notes[0]?.attachments).toEqual([]);
  });
});

describe("POST /v1/import", () => {
  it("brings an export back into another account: notes, tags, notebooks and bytes", async () => {
    const source = await signUp();
    const notebook = await createNotebook(source, "Recipes");
    const note = await createNote(source.request, {
      title: "Bread",
      content: "Flour\r\n---\nwater ",
      tags: ["baking", "weekend"],
      pinned: true,
      notebookId: notebook.id,
    });
    const bytes = randomBytes(5000);
    await upload(source.request, note.id, bytes, "crumb.jpg");
    const archive = new Uint8Array(await (await source.request("/v1/export")).arrayBuffer());

    const target = await signUp();
    const report = await imported(await importZip(target.request, archive));
    expect(report).toMatchObject({ created: 1, unchanged: 0, skipped: [] });
    const [copy] = await listAll(target.request);
    expect(copy).toMatchObject({
      title: "Bread",
      content: "Flour\r\n---\nwater ",
      tags: ["baking", "weekend"],
      pinned: true,
      visibility: "private",
      createdAt: note.createdAt,
      attachmentCount: 1,
      role: "owner",
    });
    expect(copy?.id).toBe(report.notes[0]?.id);
    const notebooks = await (await target.request("/v1/notebooks")).json<{ items: { id: string; name: string }[] }>();
    expect(notebooks.items.map((item) => item.name)).toEqual(["Recipes"]);
    expect(copy?.notebookId).toBe(notebooks.items[0]?.id);
    const back = await exportOf(target.request);
    expect(back.get(`_attachments/${copy?.id}/crumb.jpg`)).toEqual(bytes);
  });

  it("is idempotent by note: the same archive again creates nothing", async () => {
    const me = await signUp();
    const archive = await zipOf({ "a.md": "# A", "b.md": "---\nid: 42\ntitle: B\n---\nbody" });
    const first = await imported(await importZip(me.request, archive));
    expect(first.created).toBe(2);
    const again = await imported(await importZip(me.request, archive));
    expect(again).toMatchObject({ created: 0, unchanged: 2 });
    expect(again.notes.map((note) => note.id).sort()).toEqual(first.notes.map((note) => note.id).sort());
    expect(await countNotes(me.user.id)).toBe(2);

    const keyed = { "Idempotency-Key": crypto.randomUUID() };
    const other = await zipOf({ "c.md": "c" });
    const once = await importZip(me.request, other, "", keyed);
    const replayed = await importZip(me.request, other, "", keyed);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(await replayed.json()).toEqual(await once.json());
  });

  it("takes an Obsidian vault: folders become notebooks, front matter is read, other files are skipped", async () => {
    const me = await signUp();
    const archive = await zipOf({
      ".obsidian/app.json": "{}",
      "Daily/2024-01-02.md": "---\ntags: [Journal, work]\ncreated: 2024-01-02T10:00\n---\nA day.",
      "Ideas.md": "---\naliases:\n  - thoughts\nnested:\n  key: value\n---\nNo title key",
      "Daily/photo.png": randomBytes(10),
    });
    const report = await imported(await importZip(me.request, archive));
    expect(report.created).toBe(2);
    expect(report.skipped.sort()).toEqual([".obsidian/app.json", "Daily/photo.png"]);
    const notes = await listAll(me.request);
    const daily = notes.find((note) => note.title === "2024-01-02");
    expect(daily).toMatchObject({ content: "A day.", tags: ["journal", "work"] });
    expect(daily?.createdAt).toBe(new Date("2024-01-02T10:00").toISOString());
    expect(notes.find((note) => note.title === "Ideas")).toMatchObject({ notebookId: null, content: "No title key" });
  });

  it("takes one Markdown file as the body", async () => {
    const me = await signUp();
    const response = await me.request("/v1/import?filename=Shopping%20list.md", {
      method: "POST",
      body: "---\ntags: errands\n---\n- eggs\n",
      headers: { "Content-Type": "text/markdown; charset=utf-8" },
    });
    expect((await imported(response)).created).toBe(1);
    expect(await listAll(me.request)).toMatchObject([
      { title: "Shopping list", content: "- eggs\n", tags: ["errands"] },
    ]);
  });

  it("refuses the whole archive, naming the file, when one note cannot be imported", async () => {
    const me = await signUp();
    const archive = await zipOf({
      "good.md": "fine",
      "attached.md": '---\nattachments: ["files/a.bin"]\n---\nwith a file',
      "files/a.bin": randomBytes(1000),
      "bad/long.md": `---\ntitle: "${"x".repeat(201)}"\n---\n`,
      "broken.md": "---\ntitle: [unclosed\n",
    });
    const body = await expectProblem(await importZip(me.request, archive), 422);
    expect((body.errors as { path: string }[]).map((error) => error.path).sort()).toEqual([
      "archive/bad/long.md",
      "archive/broken.md",
    ]);
    expect(await countNotes(me.user.id)).toBe(0);
    expect(await objectsOf(me.user.id)).toEqual([]);
  });

  it("leaves nothing behind when the bytes do not match the manifest", async () => {
    const source = await signUp();
    const note = await createNote(source.request, { title: "With files" });
    await upload(source.request, note.id, "first file", "one.txt");
    await upload(source.request, note.id, "second file", "two.txt");
    const files = await exportOf(source.request);
    files.set(`_attachments/${note.id}/two.txt`, new TextEncoder().encode("tampered!!!"));
    const target = await signUp();
    const body = await expectProblem(await importZip(target.request, await zipOf(Object.fromEntries(files))), 422);
    expect(body.errors).toEqual([
      { path: `archive/_attachments/${note.id}/two.txt`, message: "does not match its SHA-256 in the manifest" },
    ]);
    expect(await countNotes(target.user.id)).toBe(0);
    expect(await objectsOf(target.user.id)).toEqual([]);
    expect((await outboxKeys()).filter((key) => key.includes(target.user.id))).toEqual([]);
  });

  it("answers 413 naming the file, the archive, or the quota past each bound", async () => {
    const me = await signUp();
    const archive = await zipOf({ "n.md": '---\nattachments: ["big.bin"]\n---\n', "big.bin": randomBytes(3000) });
    const importWith = (overrides: Partial<Bindings>) =>
      authed(me.tokens.access_token, "/v1/import", zipBody(archive), overrides);
    const tooBig = await expectProblem(await importWith({ MAX_ATTACHMENT_BYTES: "2000" }), 413);
    expect(tooBig).toMatchObject({
      type: "urn:cloud-notes:problem:attachment-too-large",
      errors: [{ path: "archive/big.bin" }],
    });
    const whole = await expectProblem(await importWith({ MAX_IMPORT_BYTES: "100" }), 413);
    expect(whole.type).toBe("urn:cloud-notes:problem:import-too-large");
    const quota = await expectProblem(await importWith({ USER_STORAGE_QUOTA_BYTES: "2500" }), 413);
    expect(quota.type).toBe("urn:cloud-notes:problem:storage-quota");
    expect(await countNotes(me.user.id)).toBe(0);
    expect(await objectsOf(me.user.id)).toEqual([]);
    expect((await imported(await importWith({}))).created).toBe(1);
  });

  it("refuses what is not a zip or Markdown", async () => {
    const me = await signUp();
    const notZip = await expectProblem(await importZip(me.request, new TextEncoder().encode("PK but not really")), 422);
    expect(notZip.errors).toEqual([{ path: "body", message: expect.any(String) }]);
    await expectProblem(
      await me.request("/v1/import", { method: "POST", body: "{}", headers: { "Content-Type": "application/json" } }),
      415,
    );
  });

  it("imports into a notebook only with an editing role there", async () => {
    const owner = await signUp();
    const viewer = await signUp();
    const notebook = await createNotebook(owner, "Team");
    await addMember(owner, notebook.id, viewer, "viewer");
    const archive = await zipOf({ "n.md": "x" });
    await expectProblem(await importZip(viewer.request, archive, `?notebookId=${notebook.id}`), 403);
    await expectProblem(await importZip((await signUp()).request, archive, `?notebookId=${notebook.id}`), 404);
    const report = await imported(await importZip(owner.request, archive, `?notebookId=${notebook.id}`));
    expect(await listAll(owner.request, `notebookId=${notebook.id}`)).toMatchObject([{ id: report.notes[0]?.id }]);
  });

  it("asks an API token for attachments:write when the archive has attachments", async () => {
    const me = await signUp();
    const token = await issueToken(me, { scopes: ["notes:write"] });
    const withFile = await zipOf({ "n.md": '---\nattachments: ["f.bin"]\n---\n', "f.bin": "bytes" });
    const body = await expectProblem(await importZip(withToken(token.token), withFile), 403);
    expect(body.type).toBe("urn:cloud-notes:problem:insufficient-scope");
    expect((await imported(await importZip(withToken(token.token), await zipOf({ "n.md": "x" })))).created).toBe(1);
  });
});

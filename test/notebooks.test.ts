import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { encodeCursor } from "../src/lib/cursor";
import { json, signUp } from "./support/accounts";
import { api, roundTripsDuring, testDatabase } from "./support/api";
import { addMember, createNotebook, type Notebook, team } from "./support/notebooks";
import { patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

const MISSING_ID = "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11";

/** A problem body without what differs between any two requests. */
async function problemShape(response: Response, status: number) {
  const { requestId: _, instance: __, ...rest } = await expectProblem(response, status);
  return rest;
}

describe("POST /v1/notebooks", () => {
  it("creates a notebook the caller owns: 201, Location, ETag, the whole notebook", async () => {
    const { request, user } = await signUp();
    const response = await request("/v1/notebooks", json({ name: "  Recipes " }));
    expect(response.status).toBe(201);
    const notebook = await response.json<Notebook>();
    expect(notebook).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Recipes",
      description: "",
      ownerId: user.id,
      role: "owner",
      memberCount: 1,
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updatedAt: notebook.createdAt,
    });
    expect(response.headers.get("location")).toBe(`/v1/notebooks/${notebook.id}`);
    expect(response.headers.get("etag")).toBe('"v1"');
    const { rows } = await testDatabase().execute<{ role: string }>(
      sql`select role from notebook_members where notebook_id = ${notebook.id} and user_id = ${user.id}`,
    );
    expect(rows).toEqual([{ role: "owner" }]);
  });

  it.each([
    ["no name", { description: "x" }, "body.name"],
    ["a blank name", { name: "   " }, "body.name"],
    ["a long name", { name: "x".repeat(101) }, "body.name"],
    ["a long description", { name: "x", description: "x".repeat(1001) }, "body.description"],
    ["an unknown field", { name: "x", ownerId: MISSING_ID }, "body"],
  ])("answers 422 for %s", async (_, body, path) => {
    const { request } = await signUp();
    const problem = await expectProblem(await request("/v1/notebooks", json(body)), 422);
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("answers 401 without a token", async () => {
    await expectProblem(await api("/v1/notebooks", json({ name: "x" })), 401);
  });
});

describe("GET /v1/notebooks", () => {
  it("pages through the notebooks the caller owns or belongs to, newest first, without repeats or gaps", async () => {
    const me = await signUp();
    const other = await signUp();
    const mine: Notebook[] = [];
    for (let i = 0; i < 4; i++) mine.push(await createNotebook(me, `Mine ${i}`));
    const shared = await createNotebook(other, "Shared with me");
    await addMember(other, shared.id, me, "editor");
    await createNotebook(other, "Not mine");

    const seen: Notebook[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await me.request(`/v1/notebooks?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const page = await response.json<{ items: Notebook[]; nextCursor: string | null }>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen.map((notebook) => notebook.name)).toEqual(["Shared with me", "Mine 3", "Mine 2", "Mine 1", "Mine 0"]);
    expect(seen[0]).toMatchObject({ role: "editor", memberCount: 2, ownerId: other.user.id });
    expect(seen.slice(1).every((notebook) => notebook.role === "owner")).toBe(true);
  });

  it("refuses a cursor made for another listing", async () => {
    const { request } = await signUp();
    const cursor = await encodeCursor(
      { time: "2026-01-01T00:00:00.000000Z", id: MISSING_ID },
      { list: "invitations" },
      env.PASSWORD_PEPPER,
    );
    const problem = await expectProblem(await request(`/v1/notebooks?cursor=${cursor}`), 422);
    expect(problem.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });
});

describe("GET /v1/notebooks/{id}", () => {
  it("answers members with their own role, an ETag, and 304 for a matching If-None-Match", async () => {
    const { owner, viewer, notebook } = await team();
    const response = await owner.request(`/v1/notebooks/${notebook.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...notebook, memberCount: 3 });
    const etag = response.headers.get("etag") ?? "";
    expect(etag).toBe('"v1"');
    const cached = await owner.request(`/v1/notebooks/${notebook.id}`, { headers: { "If-None-Match": etag } });
    expect(cached.status).toBe(304);
    const asViewer = await (await viewer.request(`/v1/notebooks/${notebook.id}`)).json<Notebook>();
    expect(asViewer).toMatchObject({ id: notebook.id, role: "viewer", memberCount: 3 });
  });

  it("answers an outsider the same 404 as an id that does not exist", async () => {
    const { notebook } = await team();
    const outsider = await signUp();
    const hidden = await problemShape(await outsider.request(`/v1/notebooks/${notebook.id}`), 404);
    const missing = await problemShape(await outsider.request(`/v1/notebooks/${MISSING_ID}`), 404);
    expect(hidden).toEqual(missing);
    expect(await problemShape(await outsider.request(`/v1/notebooks/${notebook.id}/members`), 404)).toEqual(missing);
  });
});

describe("PATCH /v1/notebooks/{id}", () => {
  it("lets the owner rename it, honouring If-Match (412 with the current ETag when stale)", async () => {
    const { owner, viewer, notebook } = await team();
    const path = `/v1/notebooks/${notebook.id}`;
    const renamed = await owner.request(path, patchJson({ name: "Renamed" }, { "If-Match": '"v1"' }));
    expect(renamed.status).toBe(200);
    expect(renamed.headers.get("etag")).toBe('"v2"');
    expect(await renamed.json()).toMatchObject({ name: "Renamed", description: "", version: 2, memberCount: 3 });

    const stale = await owner.request(path, patchJson({ description: "lost" }, { "If-Match": '"v1"' }));
    const problem = await expectProblem(stale, 412);
    expect(problem.type).toBe("urn:cloud-notes:problem:stale-version");
    expect(stale.headers.get("etag")).toBe('"v2"');
    expect(await (await viewer.request(path)).json()).toMatchObject({ name: "Renamed", description: "", version: 2 });
  });

  it("answers 403 to a viewer and an editor, 404 to an outsider, 422 to an empty change", async () => {
    const { owner, viewer, editor, notebook } = await team();
    const path = `/v1/notebooks/${notebook.id}`;
    for (const member of [viewer, editor]) {
      const problem = await expectProblem(await member.request(path, patchJson({ name: "Mine now" })), 403);
      expect(problem.type).toBe("urn:cloud-notes:problem:forbidden");
    }
    await expectProblem(await (await signUp()).request(path, patchJson({ name: "x" })), 404);
    await expectProblem(await owner.request(path, patchJson({})), 422);
    expect(await (await owner.request(path)).json()).toMatchObject({ name: "Team", version: 1 });
  });
});

describe("DELETE /v1/notebooks/{id}", () => {
  it("is the owner's alone, honours If-Match, and takes the notebook from every member", async () => {
    const { owner, viewer, editor, notebook } = await team();
    const path = `/v1/notebooks/${notebook.id}`;
    for (const member of [viewer, editor]) {
      await expectProblem(await member.request(path, { method: "DELETE" }), 403);
    }
    await expectProblem(await owner.request(path, { method: "DELETE", headers: { "If-Match": '"v9"' } }), 412);
    expect((await owner.request(path, { method: "DELETE", headers: { "If-Match": '"v1"' } })).status).toBe(204);
    await expectProblem(await owner.request(path), 404);
    await expectProblem(await viewer.request(path), 404);
    const listed = await (await editor.request("/v1/notebooks")).json<{ items: Notebook[] }>();
    expect(listed.items).toEqual([]);
  });

  it("deletes its notes, whoever wrote them, and their attachments' bytes; notes elsewhere stay", async () => {
    const { owner, editor, notebook } = await team();
    const db = testDatabase();
    const { rows: notes } = await db.execute<{ id: string }>(sql`
      insert into notes (owner_id, notebook_id, title) values
        (${owner.user.id}, ${notebook.id}, 'in the notebook'),
        (${editor.user.id}, ${notebook.id}, 'the editor''s, in the notebook'),
        (${owner.user.id}, null, 'loose')
      returning id`);
    const [inside, editors, loose] = notes.map((note) => note.id);
    const keys = [inside, editors, loose].map((noteId) => `users/${owner.user.id}/${noteId}`);
    for (const [index, noteId] of [inside, editors, loose].entries()) {
      const key = keys[index] ?? "";
      await env.ATTACHMENTS.put(key, "bytes");
      await db.execute(sql`
        insert into attachments (note_id, owner_id, filename, content_type, size, sha256, object_key)
        values (${noteId}, ${owner.user.id}, 'a.txt', 'text/plain', 5, 'x', ${key})`);
    }

    expect((await owner.request(`/v1/notebooks/${notebook.id}`, { method: "DELETE" })).status).toBe(204);

    const left = await db.execute<{ id: string }>(
      sql`select id from notes where id in (${inside}, ${editors}, ${loose})`,
    );
    expect(left.rows).toEqual([{ id: loose }]);
    const attachmentsLeft = await db.execute<{ object_key: string }>(
      sql`select object_key from attachments where owner_id = ${owner.user.id}`,
    );
    expect(attachmentsLeft.rows).toEqual([{ object_key: keys[2] }]);
    const stored = await env.ATTACHMENTS.list({ prefix: `users/${owner.user.id}/` });
    expect(stored.objects.map((object) => object.key)).toEqual([keys[2]]);
  });
});

describe("members", () => {
  it("lists every member, the owner first, to any member", async () => {
    const { owner, viewer, editor, notebook } = await team();
    const response = await viewer.request(`/v1/notebooks/${notebook.id}/members`);
    expect(response.status).toBe(200);
    const page = await response.json<{ items: unknown[]; nextCursor: null }>();
    expect(page).toEqual({
      items: [
        {
          userId: owner.user.id,
          displayName: "Olive Owner",
          email: owner.email,
          role: "owner",
          addedAt: notebook.createdAt,
        },
        {
          userId: viewer.user.id,
          displayName: "Vic Viewer",
          email: viewer.email,
          role: "viewer",
          addedAt: expect.any(String),
        },
        {
          userId: editor.user.id,
          displayName: "Eda Editor",
          email: editor.email,
          role: "editor",
          addedAt: expect.any(String),
        },
      ],
      nextCursor: null,
    });
  });

  it("changes a member's role, which counts from their next request", async () => {
    const { owner, viewer, notebook } = await team();
    const path = `/v1/notebooks/${notebook.id}/members/${viewer.user.id}`;
    const response = await owner.request(path, patchJson({ role: "editor" }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ userId: viewer.user.id, role: "editor" });
    expect(await (await viewer.request(`/v1/notebooks/${notebook.id}`)).json()).toMatchObject({ role: "editor" });
    await owner.request(path, patchJson({ role: "viewer" }));
    expect(await (await viewer.request(`/v1/notebooks/${notebook.id}`)).json()).toMatchObject({ role: "viewer" });
  });

  it("refuses to change the owner (409), a non-member (404), 'owner' (422), and anyone but the owner (403)", async () => {
    const { owner, viewer, editor, notebook } = await team();
    const member = (userId: string) => `/v1/notebooks/${notebook.id}/members/${userId}`;
    const ownerRole = await expectProblem(
      await owner.request(member(owner.user.id), patchJson({ role: "viewer" })),
      409,
    );
    expect(ownerRole).toMatchObject({
      type: "urn:cloud-notes:problem:owner-role",
      detail: "The owner cannot be demoted or removed.",
    });
    await expectProblem(await owner.request(member(MISSING_ID), patchJson({ role: "viewer" })), 404);
    await expectProblem(await owner.request(member(viewer.user.id), patchJson({ role: "owner" })), 422);
    await expectProblem(await editor.request(member(viewer.user.id), patchJson({ role: "editor" })), 403);
    await expectProblem(await editor.request(member(editor.user.id), patchJson({ role: "editor" })), 403);
    await expectProblem(await (await signUp()).request(member(viewer.user.id), patchJson({ role: "editor" })), 404);
  });

  it("lets the owner remove a member and a member leave; the owner can do neither to themself", async () => {
    const { owner, viewer, editor, notebook } = await team();
    const member = (userId: string) => `/v1/notebooks/${notebook.id}/members/${userId}`;
    const remove = { method: "DELETE" };
    await expectProblem(await viewer.request(member(editor.user.id), remove), 403);
    const leaving = await expectProblem(await owner.request(member(owner.user.id), remove), 409);
    expect(leaving.type).toBe("urn:cloud-notes:problem:owner-role");
    await expectProblem(await editor.request(member(owner.user.id), remove), 403);

    expect((await viewer.request(member(viewer.user.id), remove)).status).toBe(204);
    await expectProblem(await viewer.request(`/v1/notebooks/${notebook.id}`), 404);
    expect((await owner.request(member(editor.user.id), remove)).status).toBe(204);
    await expectProblem(await editor.request(`/v1/notebooks/${notebook.id}`), 404);
    await expectProblem(await owner.request(member(editor.user.id), remove), 404);
    expect(await (await owner.request(`/v1/notebooks/${notebook.id}`)).json()).toMatchObject({ memberCount: 1 });
  });

  it("lets a member leave by their id spelt in capitals, as the database compares ids", async () => {
    const { owner, viewer, notebook } = await team();
    const leave = await viewer.request(`/v1/notebooks/${notebook.id}/members/${viewer.user.id.toUpperCase()}`, {
      method: "DELETE",
    });
    expect(leave.status).toBe(204);
    expect(await (await owner.request(`/v1/notebooks/${notebook.id}`)).json()).toMatchObject({ memberCount: 2 });
  });
});

describe("round trips", () => {
  it("costs every notebook and member request one database round trip", async () => {
    const { owner, viewer, notebook } = await team();
    const base = `/v1/notebooks/${notebook.id}`;
    const requests: [typeof owner, string, RequestInit?][] = [
      [owner, "/v1/notebooks", json({ name: "x" })],
      [owner, "/v1/notebooks"],
      [viewer, base],
      [owner, base, patchJson({ name: "y" })],
      [viewer, base, patchJson({ name: "z" })],
      [viewer, `${base}/members`],
      [owner, `${base}/members/${viewer.user.id}`, patchJson({ role: "editor" })],
      [viewer, `${base}/members/${viewer.user.id}`, { method: "DELETE" }],
      [owner, base, { method: "DELETE" }],
    ];
    for (const [who, path, init] of requests) {
      expect(await roundTripsDuring(() => who.request(path, init)), `${init?.method ?? "GET"} ${path}`).toBe(1);
    }
  });
});

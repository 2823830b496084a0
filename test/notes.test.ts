import { describe, expect, it } from "vitest";
import { authed, json, signUp } from "./support/accounts";
import { api, roundTripsDuring } from "./support/api";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

describe("POST /v1/notes", () => {
  it("creates a note: 201, Location, ETag, the whole note with normalised tags", async () => {
    const { request, user } = await signUp();
    const response = await request(
      "/v1/notes",
      json({ title: "  Shopping ", content: "milk", tags: [" Home", "home", "ERRANDS "], pinned: true }),
    );
    expect(response.status).toBe(201);
    const note = await response.json<Record<string, unknown>>();
    expect(note).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: "Shopping",
      content: "milk",
      tags: ["home", "errands"],
      pinned: true,
      archived: false,
      visibility: "private",
      notebookId: null,
      ownerId: user.id,
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      updatedAt: expect.any(String),
      attachmentCount: 0,
      trashedAt: null,
      publishedAt: null,
      role: "owner",
    });
    expect(response.headers.get("location")).toBe(`/v1/notes/${note.id}`);
    expect(response.headers.get("etag")).toBe('"v1"');
  });

  it.each([
    ["no title", { content: "x" }, "body.title"],
    ["an empty title", { title: "   ", content: "x" }, "body.title"],
    ["a long title", { title: "x".repeat(201), content: "x" }, "body.title"],
    ["no content", { title: "x" }, "body.content"],
    ["long content", { title: "x", content: "x".repeat(100_001) }, "body.content"],
    ["21 tags", { title: "x", content: "", tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "body.tags"],
    ["a long tag", { title: "x", content: "", tags: ["x".repeat(41)] }, "body.tags.0"],
    ["an empty tag", { title: "x", content: "", tags: [" "] }, "body.tags.0"],
    ["an unknown field", { title: "x", content: "", ownerId: "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11" }, "body"],
    ["a notebook id that is no uuid", { title: "x", content: "", notebookId: "notebook-1" }, "body.notebookId"],
    ["a pinned string", { title: "x", content: "", pinned: "yes" }, "body.pinned"],
  ])("answers 422 for %s", async (_, body, path) => {
    const { request } = await signUp();
    const problem = await expectProblem(await request("/v1/notes", json(body)), 422);
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("accepts 20 distinct tags after de-duplicating more", async () => {
    const { request } = await signUp();
    const tags = [...Array.from({ length: 20 }, (_, i) => `t${i}`), "T0", "t1 "];
    const note = await createNote(request, { tags });
    expect(note.tags).toHaveLength(20);
  });

  it("accepts the longest content and refuses a body over the limit before parsing it (413)", async () => {
    const { request } = await signUp();
    const longest = await createNote(request, { content: "😀".repeat(100_000) });
    expect([...longest.content]).toHaveLength(100_000);
    await expectProblem(await request("/v1/notes", json({ title: "x", content: "x".repeat(2_000_000) })), 413);
  });

  it("answers 401 without a token", async () => {
    const { request: _ } = await signUp();
    await expectProblem(await api("/v1/notes", json({ title: "x", content: "" })), 401);
  });
});

describe("GET /v1/notes/{id}", () => {
  it("answers the note with its ETag, and 304 for a matching If-None-Match", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const response = await request(`/v1/notes/${note.id}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(note);
    const etag = response.headers.get("etag") ?? "";
    const cached = await request(`/v1/notes/${note.id}`, { headers: { "If-None-Match": etag } });
    expect(cached.status).toBe(304);
    expect(cached.headers.get("etag")).toBe(etag);
    expect(await cached.text()).toBe("");
    const weak = await request(`/v1/notes/${note.id}`, { headers: { "If-None-Match": `W/${etag}` } });
    expect(weak.status).toBe(304);
    const other = await request(`/v1/notes/${note.id}`, { headers: { "If-None-Match": '"v99"' } });
    expect(other.status).toBe(200);
  });

  it("answers 404 for a missing note and for an id that is not a UUID", async () => {
    const { request } = await signUp();
    const missing = await expectProblem(await request("/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11"), 404);
    const malformed = await expectProblem(await request("/v1/notes/not-a-uuid"), 404);
    expect(malformed.detail).toBe("The requested resource does not exist.");
    expect(missing.title).toBe("Not Found");
  });
});

describe("PATCH /v1/notes/{id}", () => {
  it("changes only the fields given and bumps the version", async () => {
    const { request } = await signUp();
    const note = await createNote(request, { title: "Before", tags: ["a"] });
    const response = await request(`/v1/notes/${note.id}`, patchJson({ title: "After", archived: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("etag")).toBe('"v2"');
    const updated = await response.json<Record<string, unknown>>();
    expect(updated).toMatchObject({ title: "After", archived: true, content: note.content, tags: ["a"], version: 2 });
    expect(Date.parse(updated.updatedAt as string)).toBeGreaterThanOrEqual(Date.parse(note.updatedAt));
    expect(updated.createdAt).toBe(note.createdAt);
  });

  it("honours If-Match: applies on a match, 412 with the current ETag and no change when stale", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const ok = await request(`/v1/notes/${note.id}`, patchJson({ title: "Second" }, { "If-Match": '"v1"' }));
    expect(ok.status).toBe(200);
    const stale = await request(`/v1/notes/${note.id}`, patchJson({ title: "Lost update" }, { "If-Match": '"v1"' }));
    const problem = await expectProblem(stale, 412);
    expect(problem.type).toBe("urn:cloud-notes:problem:stale-version");
    expect(stale.headers.get("etag")).toBe('"v2"');
    const current = await (await request(`/v1/notes/${note.id}`)).json<{ title: string; version: number }>();
    expect(current).toMatchObject({ title: "Second", version: 2 });
    // A list of tags matches when any does; `*` matches any existing version; weak tags never match.
    expect(
      (await request(`/v1/notes/${note.id}`, patchJson({ pinned: true }, { "If-Match": '"v1", "v2"' }))).status,
    ).toBe(200);
    expect((await request(`/v1/notes/${note.id}`, patchJson({ pinned: false }, { "If-Match": "*" }))).status).toBe(200);
    expect((await request(`/v1/notes/${note.id}`, patchJson({ pinned: true }, { "If-Match": 'W/"v4"' }))).status).toBe(
      412,
    );
  });

  it("lets exactly one of two concurrent If-Match writers win", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const results = await Promise.all(
      ["one", "two", "three"].map((title) =>
        request(`/v1/notes/${note.id}`, patchJson({ title }, { "If-Match": '"v1"' })),
      ),
    );
    expect(results.map((response) => response.status).sort()).toEqual([200, 412, 412]);
  });

  it.each([
    ["an empty body", {}],
    ["an unknown field", { color: "red" }],
    ["an unknown visibility", { visibility: "unlisted" }],
    ["a null title", { title: null }],
  ])("answers 422 for %s", async (_, body) => {
    const { request } = await signUp();
    const note = await createNote(request);
    await expectProblem(await request(`/v1/notes/${note.id}`, patchJson(body)), 422);
  });

  it("answers 404 for a missing note", async () => {
    const { request } = await signUp();
    await expectProblem(
      await request("/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11", patchJson({ title: "x" })),
      404,
    );
  });
});

describe("DELETE /v1/notes/{id}", () => {
  it("answers 204, then 404 for the same note", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    expect((await request(`/v1/notes/${note.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await request(`/v1/notes/${note.id}`, { method: "DELETE" }), 404);
    await expectProblem(await request(`/v1/notes/${note.id}`), 404);
  });

  it("honours If-Match", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    await expectProblem(
      await request(`/v1/notes/${note.id}`, { method: "DELETE", headers: { "If-Match": '"v7"' } }),
      412,
    );
    expect((await request(`/v1/notes/${note.id}`)).status).toBe(200);
    expect((await request(`/v1/notes/${note.id}`, { method: "DELETE", headers: { "If-Match": '"v1"' } })).status).toBe(
      204,
    );
  });
});

describe("sessions", () => {
  it("answers 401 on every notes endpoint once the password changed", async () => {
    const { request, tokens } = await signUp();
    const note = await createNote(request);
    await request(
      "/v1/users/me/password",
      json({ currentPassword: "correct horse battery staple", newPassword: "new pass 123" }),
    );
    const old = (path: string, init?: RequestInit) => authed(tokens.access_token, path, init);
    await expectProblem(await old("/v1/notes"), 401);
    await expectProblem(await old(`/v1/notes/${note.id}`), 401);
    await expectProblem(await old("/v1/notes", json({ title: "x", content: "" })), 401);
    await expectProblem(await old(`/v1/notes/${note.id}`, patchJson({ title: "x" })), 401);
    await expectProblem(await old(`/v1/notes/${note.id}`, { method: "DELETE" }), 401);
  });
});

describe("round trips", () => {
  it("costs exactly one database round trip per notes request, session check included", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const cases: [string, () => Promise<Response>][] = [
      ["POST /v1/notes", () => request("/v1/notes", json({ title: "x", content: "y" }))],
      ["GET /v1/notes", () => request("/v1/notes?q=words&tag=a&pinned=false")],
      ["GET /v1/notes/{id}", () => request(`/v1/notes/${note.id}`)],
      ["PATCH /v1/notes/{id}", () => request(`/v1/notes/${note.id}`, patchJson({ title: "z" }, { "If-Match": "*" }))],
      ["DELETE /v1/notes/{id}", () => request(`/v1/notes/${note.id}`, { method: "DELETE" })],
    ];
    for (const [name, send] of cases) {
      expect(await roundTripsDuring(send), name).toBe(1);
    }
  });
});

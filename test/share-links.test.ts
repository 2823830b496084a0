import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../src/lib/base64url";
import type { NewShareLink, SharedNote, ShareLink } from "../src/routes/share-links/share-link.schemas";
import { type Account, json, signUp } from "./support/accounts";
import { api, roundTripsDuring, testDatabase } from "./support/api";
import { bodyText, sha256Hex, upload } from "./support/attachments";
import { createNotebook, team } from "./support/notebooks";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";

// Share links: who may make and revoke them, what a reader without an account sees through one, and
// that a revoked, expired or unknown link opens nothing, at once and indistinguishably.

const linksOf = (noteId: string) => `/v1/notes/${noteId}/share-links`;

async function share(author: Account, noteId: string, body: unknown = {}): Promise<NewShareLink> {
  const response = await author.request(linksOf(noteId), json(body));
  expect(response.status, await response.clone().text()).toBe(201);
  return response.json<NewShareLink>();
}

async function listLinks(author: Account, noteId: string): Promise<ShareLink[]> {
  const response = await author.request(linksOf(noteId));
  expect(response.status).toBe(200);
  const page = await response.json<{ items: ShareLink[]; nextCursor: null }>();
  expect(page.nextCursor).toBeNull();
  return page.items;
}

/** Anonymous: no Authorization header at all. */
const readShared = (token: string, rest = "", init: RequestInit = {}) => api(`/v1/shared/${token}${rest}`, init);

/** A 404's body as text, without the two members every answer has its own of. */
async function notFoundText(response: Response): Promise<string> {
  const { instance: _, requestId: __, ...rest } = await expectProblem(response, 404);
  expect(response.headers.get("cache-control")).toBe("no-store");
  return JSON.stringify(rest);
}

const expireInDatabase = (linkId: string) =>
  testDatabase().execute(sql`update share_links set expires_at = now() - interval '1 second' where id = ${linkId}`);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("a share link's life", () => {
  it("opens the note to anyone holding it, read-only, until it is revoked", async () => {
    const owner = await signUp("Ada Lovelace");
    const note = await createNote(owner.request, { title: "Recipe", content: "Flour, water", tags: ["bread"] });
    const file = await upload(owner.request, note.id, "hello shared world", "recipe.txt");

    const response = await owner.request(linksOf(note.id), json({}));
    expect(response.status).toBe(201);
    const link = await response.json<NewShareLink>();
    expect(link).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      url: `https://api.test/v1/shared/${link.token}`,
      expiresAt: null,
      createdAt: expect.stringMatching(ISO),
    });
    expect(response.headers.get("location")).toBe(`${linksOf(note.id)}/${link.id}`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const located = await owner.request(response.headers.get("location") ?? "");
    expect(await located.json()).toEqual({ id: link.id, expiresAt: null, createdAt: link.createdAt });

    const read = await readShared(link.token);
    expect(read.status).toBe(200);
    expect(read.headers.get("cache-control")).toBe("no-store");
    expect(read.headers.get("referrer-policy")).toBe("no-referrer");
    expect(read.headers.get("x-robots-tag")).toBe("noindex");
    const sharedNote = await read.json<SharedNote>();
    expect(sharedNote).toEqual({
      id: note.id,
      title: "Recipe",
      content: "Flour, water",
      tags: ["bread"],
      author: { displayName: "Ada Lovelace" },
      createdAt: note.createdAt,
      updatedAt: expect.stringMatching(ISO),
      attachments: [
        {
          id: file.id,
          filename: "recipe.txt",
          contentType: file.contentType,
          size: 18,
          sha256: file.sha256,
          createdAt: file.createdAt,
          updatedAt: file.updatedAt,
        },
      ],
    });

    // The link lists without its token; the bytes download with the safe-download rules, ranges included.
    const listed = await owner.request(linksOf(note.id));
    expect(await listed.text()).not.toContain(link.token);
    expect(await listLinks(owner, note.id)).toEqual([{ id: link.id, expiresAt: null, createdAt: link.createdAt }]);
    const download = await readShared(link.token, `/attachments/${file.id}`);
    expect(download.status).toBe(200);
    expect(await bodyText(download)).toBe("hello shared world");
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(download.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(download.headers.get("cache-control")).toBe("no-store");
    expect(download.headers.get("referrer-policy")).toBe("no-referrer");
    expect(download.headers.get("x-robots-tag")).toBe("noindex");
    const range = await readShared(link.token, `/attachments/${file.id}`, { headers: { Range: "bytes=0-4" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("content-range")).toBe("bytes 0-4/18");
    expect(await bodyText(range)).toBe("hello");

    // Revoked: gone from the list, and the very next read finds nothing.
    expect((await owner.request(`${linksOf(note.id)}/${link.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await readShared(link.token), 404);
    await expectProblem(await readShared(link.token, `/attachments/${file.id}`), 404);
    expect(await listLinks(owner, note.id)).toEqual([]);
    const again = await expectProblem(await owner.request(`${linksOf(note.id)}/${link.id}`, { method: "DELETE" }), 404);
    expect(again.detail).toBe("No share link with this id on this note.");
  });

  it("stops at its expiry, and leaves the list then", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const expiresAt = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();
    const link = await share(owner, note.id, { expiresAt });
    expect(link.expiresAt).toBe(expiresAt);
    expect(await listLinks(owner, note.id)).toEqual([{ id: link.id, expiresAt, createdAt: link.createdAt }]);
    expect((await readShared(link.token)).status).toBe(200);

    await expireInDatabase(link.id);
    await expectProblem(await readShared(link.token), 404);
    expect(await listLinks(owner, note.id)).toEqual([]);
  });

  it("opens nothing once the note is deleted", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const link = await share(owner, note.id);
    expect((await owner.request(`/v1/notes/${note.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await readShared(link.token), 404);
  });

  it("serves only the attachments of the note it opens", async () => {
    const owner = await signUp();
    const [note, other] = [await createNote(owner.request), await createNote(owner.request)];
    const elsewhere = await upload(owner.request, other.id, "not shared");
    const link = await share(owner, note.id);
    const problem = await expectProblem(await readShared(link.token, `/attachments/${elsewhere.id}`), 404);
    expect(problem.detail).toBe("No shared attachment at this link.");
    await expectProblem(await readShared(link.token, "/attachments/not-a-uuid"), 404);
  });

  it("lists live links newest first, and keeps at most 20 per note", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const links: NewShareLink[] = [];
    for (let i = 0; i < 20; i++) links.push(await share(owner, note.id));
    expect((await listLinks(owner, note.id)).map((link) => link.id)).toEqual(links.map((link) => link.id).reverse());

    const full = await expectProblem(await owner.request(linksOf(note.id), json({})), 409);
    expect(full.type).toBe("urn:cloud-notes:problem:share-link-limit");
    // An expired link no longer counts.
    await expireInDatabase(links[0]?.id ?? "");
    await share(owner, note.id);
  });
});

describe("what a link gives away", () => {
  it("answers unknown, malformed, revoked and expired tokens alike", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const [revoked, expired] = [await share(owner, note.id), await share(owner, note.id)];
    await owner.request(`${linksOf(note.id)}/${revoked.id}`, { method: "DELETE" });
    await expireInDatabase(expired.id);

    const unknown = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    const bodies = new Set<string>();
    for (const token of [unknown, revoked.token, expired.token, "short", "x".repeat(65), `${unknown}%00`]) {
      bodies.add(await notFoundText(await readShared(token)));
    }
    expect([...bodies]).toEqual([
      JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, detail: "No shared note at this link." }),
    ]);
  });

  it("keeps the token out of problem bodies: instance names the route, never the token", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const { token, id } = await share(owner, note.id);
    await owner.request(`${linksOf(note.id)}/${id}`, { method: "DELETE" });
    for (const path of [
      `/v1/shared/${token}`,
      `/v1/shared/${token}/attachments/${crypto.randomUUID()}`,
      `/v1/shared/${token}/x`,
    ]) {
      const body = await (await api(path)).text();
      expect(body).not.toContain(token);
      expect(JSON.parse(body).instance).toMatch(/^\/v1\/shared\/\{token\}/);
    }
  });

  it("ignores Idempotency-Key, so no token is kept for a replay: a retry makes a second link", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const keyed = () => owner.request(linksOf(note.id), json({}, { headers: { "Idempotency-Key": "same-key" } }));
    const [first, second] = [await (await keyed()).json<NewShareLink>(), await (await keyed()).json<NewShareLink>()];
    expect(first.token).not.toBe(second.token);
    const { rows } = await testDatabase().execute(sql`select 1 from idempotent_requests where key = 'same-key'`);
    expect(rows).toEqual([]);
  });

  it("stores only the token's SHA-256", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const link = await share(owner, note.id);
    const { rows } = await testDatabase().execute<{ row: string; tokenHash: string }>(sql`
      select row_to_json(l)::text as row, token_hash as "tokenHash" from share_links l where id = ${link.id}`);
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(link.token));
    expect(rows[0]?.tokenHash).toBe(toBase64Url(new Uint8Array(digest)));
    expect(rows[0]?.row).not.toContain(link.token);
  });

  it("names the author by display name only: no email, no account or notebook id", async () => {
    const owner = await signUp("Grace");
    const notebook = await createNotebook(owner);
    const note = await createNote(owner.request, { notebookId: notebook.id });
    await upload(owner.request, note.id, "bytes");
    const link = await share(owner, note.id);
    const answer = JSON.stringify(await (await readShared(link.token)).json());
    expect(answer).toContain('"displayName":"Grace"');
    for (const secret of [owner.email, owner.user.id, notebook.id, "ownerId", "notebookId", "email"]) {
      expect(answer).not.toContain(secret);
    }
  });

  it("serves attachment bytes that match their hash", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const file = await upload(owner.request, note.id, "exact bytes");
    const link = await share(owner, note.id);
    const download = await readShared(link.token, `/attachments/${file.id}`);
    expect(await sha256Hex(await download.arrayBuffer())).toBe(file.sha256);
    const revalidated = await readShared(link.token, `/attachments/${file.id}`, {
      headers: { "If-None-Match": download.headers.get("etag") ?? "" },
    });
    expect(revalidated.status).toBe(304);
  });
});

describe("who may share", () => {
  it("the notebook's owner and the note's author while an editor; other members 403, outsiders 404", async () => {
    const [{ owner, author, editor, viewer, note }, outsider] = await Promise.all([team({ author: true }), signUp()]);
    await share(owner, note.id);
    const authors = await share(author, note.id);
    for (const member of [editor, viewer]) {
      const problem = await expectProblem(await member.request(linksOf(note.id), json({})), 403);
      expect(problem.type).toBe("urn:cloud-notes:problem:forbidden");
      await expectProblem(await member.request(linksOf(note.id)), 403);
      await expectProblem(await member.request(`${linksOf(note.id)}/${authors.id}`, { method: "DELETE" }), 403);
    }
    const missing = await expectProblem(await outsider.request(linksOf(note.id), json({})), 404);
    expect(missing.detail).toBe("No note with this id.");
    await expectProblem(await outsider.request(linksOf(note.id)), 404);
    await expectProblem(await outsider.request(`${linksOf(note.id)}/${authors.id}`, { method: "DELETE" }), 404);

    // Both sharers see and may revoke every link of the note.
    expect(await listLinks(author, note.id)).toHaveLength(2);
    expect((await owner.request(`${linksOf(note.id)}/${authors.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await listLinks(author, note.id)).toHaveLength(1);
    const { rows } = await testDatabase().execute(sql`select 1 from share_links where note_id = ${note.id}`);
    expect(rows).toHaveLength(1);
  });

  it("not the author once demoted to viewer", async () => {
    const { owner, author, notebook, note } = await team({ author: true });
    const demoted = await owner.request(
      `/v1/notebooks/${notebook.id}/members/${author.user.id}`,
      json({ role: "viewer" }, { method: "PATCH" }),
    );
    expect(demoted.status).toBe(200);
    await expectProblem(await author.request(linksOf(note.id), json({})), 403);
  });

  it("a loose note's owner", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    await share(owner, note.id);
    await expectProblem(await (await signUp()).request(linksOf(note.id), json({})), 404);
  });
});

describe("input", () => {
  it.each([
    ["an expiry in the past", { expiresAt: new Date(Date.now() - 60_000).toISOString() }, "body.expiresAt"],
    [
      "an expiry more than 365 days ahead",
      { expiresAt: new Date(Date.now() + 366 * 24 * 60 * 60 * 1000).toISOString() },
      "body.expiresAt",
    ],
    ["an expiry that is no date", { expiresAt: "tomorrow" }, "body.expiresAt"],
    ["an unknown field", { token: "mine" }, "body"],
  ])("answers 422 for %s", async (_, body, path) => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const problem = await expectProblem(await owner.request(linksOf(note.id), json(body)), 422);
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("needs no body at all", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    expect((await owner.request(linksOf(note.id), { method: "POST" })).status).toBe(201);
  });
});

describe("cost", () => {
  it("takes one database round trip per request, and none for a malformed token", async () => {
    const owner = await signUp();
    const note = await createNote(owner.request);
    const file = await upload(owner.request, note.id, "bytes");
    let link: NewShareLink | undefined;
    expect(await roundTripsDuring(async () => (link = await share(owner, note.id)))).toBe(1);
    const token = link?.token ?? "";
    expect(await roundTripsDuring(() => listLinks(owner, note.id))).toBe(1);
    expect(await roundTripsDuring(async () => expect((await readShared(token)).status).toBe(200))).toBe(1);
    expect(
      await roundTripsDuring(async () => expect((await readShared(token, `/attachments/${file.id}`)).status).toBe(200)),
    ).toBe(1);
    expect(await roundTripsDuring(() => readShared("not-a-token"))).toBe(0);
    const revoke = () => owner.request(`${linksOf(note.id)}/${link?.id}`, { method: "DELETE" });
    expect(await roundTripsDuring(async () => expect((await revoke()).status).toBe(204))).toBe(1);
  });
});

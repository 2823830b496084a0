import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { API_TOKEN_LIMITS } from "../src/db/schema";
import { API_TOKEN_PREFIX, crc32, isApiToken } from "../src/lib/api-token";
import { json, PASSWORD, signUp } from "./support/accounts";
import { roundTripsDuring, testDatabase } from "./support/api";
import { createNotebook } from "./support/notebooks";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";
import { issueToken, withToken } from "./support/tokens";

const DAY_MS = 24 * 60 * 60 * 1000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

describe("personal API tokens", () => {
  it("are made with a password sign-in, shown once in a format secret scanners know, and listed by their last four", async () => {
    const user = await signUp();
    const response = await user.request(
      "/v1/tokens",
      json({ name: "Backup", scopes: ["notes:read"], expiresAt: inDays(90), password: PASSWORD }),
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const created = await response.json<{ id: string; token: string; lastFour: string; lastUsedAt: null }>();
    expect(created.token).toMatch(/^cn_pat_[0-9A-Za-z]{36}$/);
    expect(isApiToken(created.token)).toBe(true);
    expect(created).toMatchObject({ name: "Backup", scopes: ["notes:read"], notebookId: null, lastUsedAt: null });
    expect(created.lastFour).toBe(created.token.slice(-4));
    expect(response.headers.get("location")).toBe(`/v1/tokens/${created.id}`);

    const listed = await (await user.request("/v1/tokens")).text();
    expect(listed).toContain(created.lastFour);
    expect(listed).not.toContain(created.token);
    // Kept: its SHA-256 (base64url) and last four, never the token.
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(created.token)));
    const expected = btoa(String.fromCharCode(...digest))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    const stored = await testDatabase().execute(sql`select * from api_tokens where id = ${created.id}`);
    expect(stored.rows[0]).toMatchObject({ token_hash: expected, last_four: created.lastFour });
    expect(JSON.stringify(stored.rows)).not.toContain(created.token);
    expect((await user.request(`/v1/tokens/${created.id}`)).status).toBe(200);
  });

  it("carry a CRC32 checksum: one changed character fails it, and is refused without a database call", async () => {
    const user = await signUp();
    const { token } = await issueToken(user, { scopes: ["notes:read"] });
    expect(crc32("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339); // the standard check value
    expect(token.startsWith(API_TOKEN_PREFIX)).toBe(true);
    const altered = `${token.slice(0, 10)}${token[10] === "a" ? "b" : "a"}${token.slice(11)}`;
    expect(isApiToken(altered)).toBe(false);
    let response: Response | undefined;
    expect(await roundTripsDuring(async () => (response = await withToken(altered)("/v1/notes")))).toBe(0);
    const body = await expectProblem(response as Response, 401);
    expect(body.detail).toBe("The API token is invalid, expired or revoked.");
    expect(response?.headers.get("www-authenticate")).toBe('Bearer realm="cloud-notes", error="invalid_token"');
  });

  it("with notes:read let a script list and read notes, and refuse writing with 403 insufficient_scope", async () => {
    const user = await signUp();
    const note = await createNote(user.request, { title: "Readable" });
    const script = withToken((await issueToken(user, { scopes: ["notes:read"] })).token);
    expect((await script("/v1/notes")).status).toBe(200);
    expect(await (await script(`/v1/notes/${note.id}`)).json()).toMatchObject({ title: "Readable" });
    const refused = await script("/v1/notes", json({ title: "Nope", content: "" }));
    const body = await expectProblem(refused, 403);
    expect(body.type).toBe("urn:cloud-notes:problem:insufficient-scope");
    expect(refused.headers.get("www-authenticate")).toBe(
      'Bearer realm="cloud-notes", error="insufficient_scope", scope="notes:write"',
    );
    expect((await script(`/v1/notes/${note.id}`, { method: "DELETE" })).status).toBe(403);
    expect((await user.request(`/v1/notes/${note.id}`)).status).toBe(200);
  });

  it("never make tokens, change the password or delete the account, whatever their scopes", async () => {
    const user = await signUp();
    const script = withToken((await issueToken(user)).token);
    const sessionOnly: [string, RequestInit][] = [
      ["/v1/tokens", json({ name: "More", scopes: ["notes:read"], expiresAt: inDays(1), password: PASSWORD })],
      ["/v1/tokens", {}],
      ["/v1/users/me/password", json({ currentPassword: PASSWORD, newPassword: `${PASSWORD}!` })],
      ["/v1/users/me", json({ password: PASSWORD }, { method: "DELETE" })],
    ];
    for (const [path, init] of sessionOnly) {
      const response = await script(path, init);
      expect((await expectProblem(response, 403)).type).toBe("urn:cloud-notes:problem:insufficient-scope");
      expect(response.headers.get("www-authenticate")).toMatch(/error="insufficient_scope"/);
    }
    expect((await user.request("/v1/tokens")).status).toBe(200);
  });

  it("stop working on the next request once revoked, or once expired", async () => {
    const user = await signUp();
    const issued = await issueToken(user, { scopes: ["notes:read"] });
    const script = withToken(issued.token);
    expect((await script("/v1/notes")).status).toBe(200);
    expect((await user.request(`/v1/tokens/${issued.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await script("/v1/notes"), 401);

    const other = await issueToken(user, { scopes: ["notes:read"] });
    await testDatabase().execute(
      sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${other.id}`,
    );
    await expectProblem(await withToken(other.token)("/v1/notes"), 401);
  });

  it("note when they were last used, writing at most once a minute", async () => {
    const user = await signUp();
    const issued = await issueToken(user, { scopes: ["notes:read"] });
    const script = withToken(issued.token);
    const lastUsed = async () =>
      (
        await testDatabase().execute<{ at: string | null }>(
          sql`select last_used_at::text as at from api_tokens where id = ${issued.id}`,
        )
      ).rows[0]?.at;
    expect(await lastUsed()).toBeNull();
    await script("/v1/notes");
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await script("/v1/notes");
    expect(await lastUsed()).toBe(first);
    await testDatabase().execute(
      sql`update api_tokens set last_used_at = now() - interval '61 seconds' where id = ${issued.id}`,
    );
    await script("/v1/notes");
    expect(await lastUsed()).not.toBe(first);
    expect((await (await user.request(`/v1/tokens/${issued.id}`)).json<{ lastUsedAt: string }>()).lastUsedAt).toEqual(
      expect.any(String),
    );
  });

  it("need an expiry within a year, known scopes, and a notebook of yours; a notebook's token holds only what works inside it", async () => {
    const user = await signUp();
    const stranger = await signUp();
    const theirs = await createNotebook(stranger);
    const mine = await createNotebook(user);
    const make = (body: object) =>
      user.request(
        "/v1/tokens",
        json({ name: "T", scopes: ["notes:read"], expiresAt: inDays(30), password: PASSWORD, ...body }),
      );
    await expectProblem(await make({ expiresAt: inDays(API_TOKEN_LIMITS.lifetimeDays + 2) }), 422);
    await expectProblem(await make({ expiresAt: inDays(-1) }), 422);
    await expectProblem(await make({ expiresAt: undefined }), 422);
    await expectProblem(await make({ password: undefined }), 422);
    expect((await expectProblem(await make({ password: "not my password" }), 403)).type).toBe(
      "urn:cloud-notes:problem:wrong-password",
    );
    await expectProblem(await make({ scopes: ["notes:everything"] }), 422);
    await expectProblem(await make({ scopes: [] }), 422);
    await expectProblem(await make({ notebookId: theirs.id }), 404);
    await expectProblem(await make({ notebookId: mine.id, scopes: ["public:vote"] }), 422);
    expect((await make({ notebookId: mine.id, scopes: ["notes:read", "notes:write"] })).status).toBe(201);
  });

  it("are keyed apart from their user's other credentials for Idempotency-Key", async () => {
    const user = await signUp();
    const script = withToken((await issueToken(user, { scopes: ["notes:write"] })).token);
    const body = { title: "Once", content: "" };
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const bySession = await user.request("/v1/notes", json(body, { headers: key }));
    const byToken = await script("/v1/notes", json(body, { headers: key }));
    expect([bySession.status, byToken.status]).toEqual([201, 201]);
    expect(byToken.headers.get("idempotent-replayed")).toBeNull();
    const again = await script("/v1/notes", json(body, { headers: key }));
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  });

  it("cost one database round trip more than a password sign-in's access token: the lookup by hash", async () => {
    const user = await signUp();
    const note = await createNote(user.request);
    const script = withToken((await issueToken(user, { scopes: ["notes:read"] })).token);
    const bySession = await roundTripsDuring(() => user.request(`/v1/notes/${note.id}`));
    const byToken = await roundTripsDuring(() => script(`/v1/notes/${note.id}`));
    expect([bySession, byToken]).toEqual([1, 2]);
  });

  it("are their user's own: another user's token id answers 404", async () => {
    const [owner, stranger] = await Promise.all([signUp(), signUp()]);
    const issued = await issueToken(owner, { scopes: ["notes:read"] });
    await expectProblem(await stranger.request(`/v1/tokens/${issued.id}`), 404);
    await expectProblem(await stranger.request(`/v1/tokens/${issued.id}`, { method: "DELETE" }), 404);
    expect((await withToken(issued.token)("/v1/notes")).status).toBe(200);
  });
});

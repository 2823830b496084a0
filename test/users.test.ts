import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authed, json, PASSWORD, refresh, signIn, signUp } from "./support/accounts";
import { api, testDatabase } from "./support/api";
import { expectProblem } from "./support/problem";

const patch = (body: unknown) => json(body, { method: "PATCH" });

describe("GET /v1/users/me", () => {
  it("answers the signed-in user, without hash or token version", async () => {
    const { request, user, email } = await signUp("Grace");
    const response = await request("/v1/users/me");
    expect(response.status).toBe(200);
    const body = await response.json<Record<string, unknown>>();
    expect(body).toEqual({
      id: user.id,
      email,
      displayName: "Grace",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("answers 401 with WWW-Authenticate without a token, or with a malformed one", async () => {
    const missing = await api("/v1/users/me");
    await expectProblem(missing, 401);
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="cloud-notes"');
    const malformed = await api("/v1/users/me", { headers: { Authorization: "Bearer nonsense" } });
    await expectProblem(malformed, 401);
    expect(malformed.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const basic = await api("/v1/users/me", { headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    await expectProblem(basic, 401);
  });
});

describe("PATCH /v1/users/me", () => {
  it("changes and clears the display name", async () => {
    const { request } = await signUp("Old");
    const changed = await request("/v1/users/me", patch({ displayName: "  New name " }));
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ displayName: "New name" });
    const cleared = await request("/v1/users/me", patch({ displayName: null }));
    expect(await cleared.json()).toMatchObject({ displayName: null });
  });

  it.each([
    ["an empty body", {}],
    ["an unknown field", { displayName: "x", email: "other@example.com" }],
    ["a long name", { displayName: "x".repeat(101) }],
  ])("answers 422 for %s", async (_, body) => {
    const { request } = await signUp();
    await expectProblem(await request("/v1/users/me", patch(body)), 422);
  });
});

describe("POST /v1/users/me/password", () => {
  const change = (currentPassword: string, newPassword: string) => json({ currentPassword, newPassword });

  it("changes the password and ends every other session", async () => {
    const { request, email, tokens } = await signUp();
    const otherDevice = await signIn(email);
    const response = await request("/v1/users/me/password", change(PASSWORD, "a whole new password"));
    expect(response.status).toBe(200);
    const fresh = await response.json<{ access_token: string; refresh_token: string }>();

    // Every token from before stops working, on this device and the other.
    expect((await authed(tokens.access_token, "/v1/users/me")).status).toBe(401);
    expect((await authed(otherDevice.access_token, "/v1/users/me")).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    expect((await refresh(otherDevice.refresh_token)).status).toBe(400);

    // The caller carries on with the new pair; the new password signs in, the old one does not.
    expect((await authed(fresh.access_token, "/v1/users/me")).status).toBe(200);
    expect((await refresh(fresh.refresh_token)).status).toBe(200);
    await signIn(email, "a whole new password");
    await expect(signIn(email, PASSWORD)).rejects.toThrow(/400/);
  });

  it("answers 403 for a wrong current password and changes nothing", async () => {
    const { request, email } = await signUp();
    const body = await expectProblem(await request("/v1/users/me/password", change("wrong!!!", "new password 1")), 403);
    expect(body.type).toBe("urn:cloud-notes:problem:wrong-password");
    await signIn(email, PASSWORD);
  });

  it("answers 422 for a new password that breaks the rules", async () => {
    const { request } = await signUp();
    await expectProblem(await request("/v1/users/me/password", change(PASSWORD, "short")), 422);
  });
});

describe("DELETE /v1/users/me", () => {
  const confirm = (password: string) => json({ password }, { method: "DELETE" });

  it("deletes the account and, by cascade, its sessions", async () => {
    const { request, user, email, tokens } = await signUp();
    expect((await request("/v1/users/me", confirm(PASSWORD))).status).toBe(204);
    const db = testDatabase();
    const users = await db.execute(sql`select 1 from users where id = ${user.id}`);
    const sessions = await db.execute(sql`select 1 from refresh_tokens where user_id = ${user.id}`);
    expect(users.rows).toHaveLength(0);
    expect(sessions.rows).toHaveLength(0);
    expect((await request("/v1/users/me")).status).toBe(401);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    await expect(signIn(email)).rejects.toThrow(/400/);
  });

  it("answers 403 for a wrong password and keeps the account", async () => {
    const { request } = await signUp();
    await expectProblem(await request("/v1/users/me", confirm("not my password")), 403);
    expect((await request("/v1/users/me")).status).toBe(200);
  });

  it("counts wrong confirmations toward the sign-in throttle", async () => {
    const { request } = await signUp();
    for (let i = 0; i < 5; i++) expect((await request("/v1/users/me", confirm("wrong guess"))).status).toBe(403);
    await expectProblem(await request("/v1/users/me", confirm("wrong guess")), 429);
  });
});

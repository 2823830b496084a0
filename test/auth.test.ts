import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../src/lib/password";
import { form, json, PASSWORD, refresh, register, signIn, signUp, uniqueEmail, uniqueIp } from "./support/accounts";
import { api, testDatabase } from "./support/api";
import { expectProblem } from "./support/problem";

describe("POST /v1/auth/register", () => {
  it("creates an account and answers 201 with the user and Location", async () => {
    const email = uniqueEmail();
    const response = await api("/v1/auth/register", json({ email, password: PASSWORD, displayName: "Ada" }));
    expect(response.status).toBe(201);
    expect(response.headers.get("location")).toBe("/v1/users/me");
    const user = await response.json<Record<string, unknown>>();
    expect(user).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email,
      displayName: "Ada",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it("normalises the email: trimmed, lower-cased, unique regardless of case", async () => {
    const email = uniqueEmail();
    const first = await api("/v1/auth/register", json({ email: `  ${email.toUpperCase()} `, password: PASSWORD }));
    expect((await first.json<{ email: string }>()).email).toBe(email);
    const again = await api("/v1/auth/register", json({ email, password: PASSWORD }));
    const body = await expectProblem(again, 409);
    expect(body.detail).toBe("This email address cannot be used to register.");
  });

  it("accepts any Unicode password of 8 to 256 characters, counted as characters", async () => {
    const emoji = "🔑".repeat(8); // 8 characters, 16 UTF-16 units
    expect((await api("/v1/auth/register", json({ email: uniqueEmail(), password: emoji }))).status).toBe(201);
    const longest = "é".repeat(256);
    expect((await api("/v1/auth/register", json({ email: uniqueEmail(), password: longest }))).status).toBe(201);
  });

  it.each([
    ["a short password", { password: "1234567" }, "body.password"],
    ["a long password", { password: "x".repeat(257) }, "body.password"],
    ["a bad email", { email: "not-an-email" }, "body.email"],
    ["an empty display name", { displayName: "  " }, "body.displayName"],
    ["a long display name", { displayName: "x".repeat(101) }, "body.displayName"],
    ["an unknown field", { passwordHash: "x" }, "body"],
    ["an id", { id: "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11" }, "body"],
  ])("answers 422 for %s", async (_, change, path) => {
    const response = await api("/v1/auth/register", json({ email: uniqueEmail(), password: PASSWORD, ...change }));
    const body = await expectProblem(response, 422);
    expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
  });

  it("answers 400 for malformed JSON", async () => {
    const response = await api("/v1/auth/register", { ...json({}), body: '{"email":' });
    await expectProblem(response, 400);
  });

  it("answers 413 for a body over the limit, before parsing it", async () => {
    const response = await api("/v1/auth/register", json({ email: uniqueEmail(), password: "x".repeat(300_000) }));
    await expectProblem(response, 413);
  });

  it("is rate limited per client IP, IPv6 by /64", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Different addresses inside one /64 count as one client.
      const ip = `2001:db8:ab:cd::${i.toString(16)}`;
      const response = await api("/v1/auth/register", json({ email: "bad" }, { headers: { "CF-Connecting-IP": ip } }));
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get("retry-after")).toBe("60");
        await expectProblem(response, 429);
      }
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(422));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another /64 is another client.
    const other = await api(
      "/v1/auth/register",
      json({ email: "bad" }, { headers: { "CF-Connecting-IP": "2001:db8:ab:ce::1" } }),
    );
    expect(other.status).toBe(422);
  });
});

describe("POST /v1/auth/token, password grant", () => {
  it("signs in with email and password (any case) and answers an RFC 6749 token response", async () => {
    const { email } = await register();
    const response = await api(
      "/v1/auth/token",
      form({ grant_type: "password", username: email.toUpperCase(), password: PASSWORD }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const tokens = await response.json<Record<string, unknown>>();
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[\w-]{43}$/),
    });
  });

  it("accepts the request Swagger UI's Authorize sends (empty scope and client id, client Basic auth)", async () => {
    const { email } = await register();
    const init = form({ grant_type: "password", username: email, password: PASSWORD, scope: "", client_id: "" });
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Basic ${btoa("swagger-ui:")}`);
    const response = await api("/v1/auth/token", { ...init, headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ token_type: "Bearer" });
  });

  it("answers a wrong password and an unknown email alike", async () => {
    const { email } = await register();
    const wrong = await api(
      "/v1/auth/token",
      form({ grant_type: "password", username: email, password: "wrong password" }),
    );
    const unknown = await api(
      "/v1/auth/token",
      form({ grant_type: "password", username: uniqueEmail(), password: "wrong password" }),
    );
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a).toEqual(b);
    expect(a).toMatchObject({ error: "invalid_grant", error_description: expect.any(String), status: 400 });
  });

  it.each([
    ["no grant_type", { username: "a@b.c", password: "x" }, "invalid_request"],
    ["no password", { grant_type: "password", username: "a@b.c" }, "invalid_request"],
    ["no refresh_token", { grant_type: "refresh_token" }, "invalid_request"],
    ["an unknown grant type", { grant_type: "client_credentials" }, "unsupported_grant_type"],
  ])("answers %s with an RFC 6749 error", async (_, fields, error) => {
    const response = await api("/v1/auth/token", form(fields));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ error });
  });

  it("answers 415 for a JSON body instead of a form", async () => {
    const response = await api("/v1/auth/token", json({ grant_type: "password", username: "a@b.c", password: "x" }));
    await expectProblem(response, 415);
  });

  it("throttles repeated wrong passwords for one account from one network", async () => {
    const { email } = await register();
    const network = uniqueIp();
    const attempt = (password: string) =>
      api("/v1/auth/token", form({ grant_type: "password", username: email, password }, network));
    for (let i = 0; i < 5; i++) expect((await attempt("wrong password")).status).toBe(400);
    const locked = await attempt("wrong password");
    const body = await expectProblem(locked, 429);
    expect(body.type).toBe("urn:cloud-notes:problem:too-many-failed-sign-ins");
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    // While locked, even the right password is refused from that network.
    expect((await attempt(PASSWORD)).status).toBe(429);
  });

  it("throttles unknown emails the same way, so the lock reveals nothing", async () => {
    const email = uniqueEmail();
    const network = uniqueIp();
    const attempt = () =>
      api("/v1/auth/token", form({ grant_type: "password", username: email, password: "wrong password" }, network));
    for (let i = 0; i < 5; i++) await attempt();
    expect((await attempt()).status).toBe(429);
  });

  it("clears the failure count on a successful sign-in", async () => {
    const { email } = await register();
    const network = uniqueIp();
    const wrong = () =>
      api("/v1/auth/token", form({ grant_type: "password", username: email, password: "wrong password" }, network));
    for (let i = 0; i < 4; i++) await wrong();
    const right = await api(
      "/v1/auth/token",
      form({ grant_type: "password", username: email, password: PASSWORD }, network),
    );
    expect(right.status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await wrong()).status).toBe(400);
  });

  it("limits password grants per client IP", async () => {
    const ip = uniqueIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const attempt = form({ grant_type: "password", username: uniqueEmail(), password: "wrong password" }, ip);
      statuses.push((await api("/v1/auth/token", attempt)).status);
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(429);
  });

  it("re-hashes a password stored with an older, weaker setting", async () => {
    const { email, user } = await register();
    const db = testDatabase();
    const weak = await hashPassword(PASSWORD, env.PASSWORD_PEPPER, 1_000);
    await db.execute(sql`update users set password_hash = ${weak} where id = ${user.id}`);
    await signIn(email);
    const { rows } = await db.execute<{ hash: string }>(
      sql`select password_hash as hash from users where id = ${user.id}`,
    );
    expect(rows[0]?.hash).toMatch(/^\$pbkdf2-sha256\$v=1,i=100000\$/);
    await signIn(email); // and the new hash works
  });
});

describe("POST /v1/auth/token, refresh_token grant", () => {
  it("rotates: a new pair for the refresh token, and the old one stops working", async () => {
    const { tokens } = await signUp();
    const first = await refresh(tokens.refresh_token);
    expect(first.status).toBe(200);
    const rotated = await first.json<{ access_token: string; refresh_token: string }>();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const me = await api("/v1/users/me", { headers: { Authorization: `Bearer ${rotated.access_token}` } });
    expect(me.status).toBe(200);
  });

  it("revokes the whole family when a rotated token is presented again (theft)", async () => {
    const { tokens } = await signUp();
    const rotated = await (await refresh(tokens.refresh_token)).json<{ refresh_token: string }>();
    // Past the retry grace period, the old token can only be a copy.
    await testDatabase().execute(sql`update refresh_tokens set rotated_at = rotated_at - interval '31 seconds'`);
    const replay = await refresh(tokens.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
    // The thief's replay also ended the legitimate holder's newer token.
    expect((await refresh(rotated.refresh_token)).status).toBe(400);
  });

  it("leaves other sign-ins of the same user alone on theft", async () => {
    const { email, tokens } = await signUp();
    const otherDevice = await signIn(email);
    const rotated = await (await refresh(tokens.refresh_token)).json<{ refresh_token: string }>();
    await refresh(rotated.refresh_token);
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    expect((await refresh(otherDevice.refresh_token)).status).toBe(200);
  });

  it("refuses an unknown or expired refresh token", async () => {
    expect((await refresh("not-a-token")).status).toBe(400);
    const { tokens, user } = await signUp();
    await testDatabase().execute(
      sql`update refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`,
    );
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
  });

  it("stores only a hash of the refresh token", async () => {
    const { tokens, user } = await signUp();
    const { rows } = await testDatabase().execute<{ token_hash: string }>(
      sql`select token_hash from refresh_tokens where user_id = ${user.id}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).not.toContain(tokens.refresh_token);
  });
});

describe("POST /v1/auth/revoke", () => {
  it("ends the sign-in: the refresh token and its rotations stop working", async () => {
    const { tokens } = await signUp();
    const rotated = await (await refresh(tokens.refresh_token)).json<{ refresh_token: string }>();
    const response = await api("/v1/auth/revoke", form({ token: tokens.refresh_token }));
    expect(response.status).toBe(200);
    expect((await refresh(rotated.refresh_token)).status).toBe(400);
  });

  it("answers 200 for a token it does not know (RFC 7009)", async () => {
    expect((await api("/v1/auth/revoke", form({ token: "whatever" }))).status).toBe(200);
  });
});

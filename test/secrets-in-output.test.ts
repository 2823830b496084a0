import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { authed, form, json, signIn, signUp, uniqueEmail } from "./support/accounts";
import { api, testDatabase } from "./support/api";
import { captureLogs } from "./support/logs";

// Walks every account flow, success and failure, and checks that no password or hash ever appears
// in a response body, a response header or a log line, and no token in a log line.
describe("passwords and hashes never leave the worker", () => {
  const logs = captureLogs();
  const seen: string[] = [];

  async function record(response: Promise<Response>) {
    const settled = await response;
    seen.push(JSON.stringify([...settled.headers]), await settled.clone().text());
    return settled;
  }

  it("holds across register, sign-in, refresh, password change and deletion", async () => {
    const email = uniqueEmail();
    const password = "first secret password ✓";
    const next = "second secret password ✓";
    await record(api("/v1/auth/register", json({ email, password })));
    await record(api("/v1/auth/register", json({ email, password }))); // 409
    await record(api("/v1/auth/register", json({ email: "bad", password: "short!" }))); // 422
    await record(
      api("/v1/auth/token", form({ grant_type: "password", username: email, password: "wrong password ✓" })),
    );
    const tokens = await signIn(email, password);
    await record(authed(tokens.access_token, "/v1/users/me"));
    await record(api("/v1/auth/token", form({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })));
    const changed = await record(
      authed(tokens.access_token, "/v1/users/me/password", json({ currentPassword: password, newPassword: next })),
    );
    const fresh = await changed.json<{ access_token: string }>();
    await record(
      authed(fresh.access_token, "/v1/users/me", json({ password: "wrong password ✓" }, { method: "DELETE" })),
    );
    await record(authed(fresh.access_token, "/v1/users/me", json({ password: next }, { method: "DELETE" })));

    expect(logs.text.length).toBeGreaterThan(0);
    const everything = [...seen, ...logs.text].join("\n");
    for (const secret of [password, next, "wrong password ✓", "short!", "$pbkdf2", "password_hash", "passwordHash"]) {
      expect(everything).not.toContain(secret);
    }
    // Tokens are in the answers that hand them out, never in a log line, not even in part.
    const logged = logs.text.join("\n");
    for (const token of [tokens.access_token, tokens.refresh_token, fresh.access_token]) {
      expect(logged).not.toContain(token.slice(-16));
    }
    expect(logs.requests()).toHaveLength(10); // every request above, signing in included
  });
});

// A failing statement is where secrets used to leak: the driver's error message carries the query's
// parameters. Each case makes the file's own database refuse a statement that carries a known secret,
// so the 500 is forced (a bug on purpose), and checks what the log kept and what it did not.
describe("a database error's log line", () => {
  const logs = captureLogs();
  const tripwire = `tripwire${crypto.randomUUID().replaceAll("-", "")}`;

  function expectLoggedWithout(secrets: string[], constraint: string) {
    const everything = logs.text.join("\n");
    for (const secret of [...secrets, "$pbkdf2", "params"]) expect(everything).not.toContain(secret);
    const [line, ...others] = logs.errors("unhandled error");
    expect(others).toHaveLength(0);
    expect(line).toMatchObject({ requestId: expect.any(String), error: { class: expect.any(String) } });
    expect(JSON.stringify(line)).toContain(constraint);
    expect(JSON.stringify(line)).toContain("23514"); // check_violation: the code, not the message
  }

  it("keeps the new user's email, password and hash out when register fails", async () => {
    await testDatabase().execute(
      sql.raw(`alter table users add constraint refuse_tripwire check (email not like '%${tripwire}%')`),
    );
    const email = `${tripwire}@example.com`;
    const password = `register secret ${tripwire.slice(0, 8)} ✓`;
    expect((await api("/v1/auth/register", json({ email, password }))).status).toBe(500);
    expectLoggedWithout([email, tripwire, password], "refuse_tripwire");
  });

  it("keeps the sign-in username and password out when counting a failure fails", async () => {
    await testDatabase().execute(
      sql.raw(`alter table password_guesses add constraint refuse_tripwire_key check (key not like '%${tripwire}%')`),
    );
    const username = `${tripwire}-someone@example.com`;
    const password = `sign-in secret ${tripwire.slice(0, 8)}`;
    const response = await api("/v1/auth/token", form({ grant_type: "password", username, password }));
    expect(response.status).toBe(500);
    expectLoggedWithout([username, tripwire, password], "refuse_tripwire_key");
  });

  it("keeps a note's text out when writing it fails", async () => {
    const { request } = await signUp();
    await testDatabase().execute(
      sql.raw(`alter table notes add constraint refuse_tripwire_note check (content not like '%${tripwire}%')`),
    );
    const content = `my diary: ${tripwire}`;
    expect((await request("/v1/notes", json({ title: "Private", content }))).status).toBe(500);
    expectLoggedWithout([content, tripwire], "refuse_tripwire_note");
  });
});

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { authed, form, json, signIn, uniqueEmail } from "./support/accounts";
import { api } from "./support/api";

// Walks every account flow, success and failure, and checks that no password or hash ever appears
// in a response body, a response header or a log line.
describe("passwords and hashes never leave the worker", () => {
  const logged: string[] = [];
  const seen: string[] = [];
  const spies: ReturnType<typeof vi.spyOn>[] = [];

  beforeAll(() => {
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      spies.push(
        vi.spyOn(console, method).mockImplementation((...args) => void logged.push(args.map(String).join(" "))),
      );
    }
  });
  afterAll(() => {
    for (const spy of spies) spy.mockRestore();
  });

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

    expect(logged.length).toBeGreaterThan(0);
    const everything = [...seen, ...logged].join("\n");
    for (const secret of [password, next, "wrong password ✓", "short!", "$pbkdf2", "password_hash", "passwordHash"]) {
      expect(everything).not.toContain(secret);
    }
  });
});

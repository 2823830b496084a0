import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { guessKeys } from "../src/db/queries/password-guesses";
import { issueRefreshToken } from "../src/db/queries/refresh-tokens";
import { hashRefreshToken, newRefreshToken } from "../src/lib/tokens";
import { authed, form, json, PASSWORD, refresh, signUp, type TokenPair, uniqueIp } from "./support/accounts";
import { api, testDatabase } from "./support/api";

const NEW_PASSWORD = "the password after the change";

async function tokenVersion(userId: string): Promise<number> {
  const { rows } = await testDatabase().execute<{ version: number }>(
    sql`select token_version as version from users where id = ${userId}`,
  );
  return rows[0]?.version ?? -1;
}

describe("a sign-in racing a password change", () => {
  it("issues nothing for the token version read before the change", async () => {
    const { user, email, tokens } = await signUp();
    const versionAtCheck = await tokenVersion(user.id);
    const network = uniqueIp();
    await authed(
      tokens.access_token,
      "/v1/users/me/password",
      json({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    );
    const refreshToken = await newRefreshToken();
    const issued = await issueRefreshToken(testDatabase(), {
      userId: user.id,
      tokenVersion: versionAtCheck,
      tokenHash: refreshToken.hash,
      ttlSeconds: 3600,
      knownNetworkKey: guessKeys.signInFromNetwork(email, network),
      rehash: null,
    });
    expect(issued).toBe(false);
    expect((await refresh(refreshToken.token)).status).toBe(400);
    const known = await testDatabase().execute(
      sql`select 1 from password_guesses where key = ${guessKeys.signInFromNetwork(email, network)}`,
    );
    expect(known.rows).toHaveLength(0);
  });

  it("cannot keep a refresh token that was stored with the old version after the change", async () => {
    // What the race left behind before: a token row written after the change had revoked the others.
    const { user, tokens } = await signUp();
    const oldVersion = await tokenVersion(user.id);
    await authed(
      tokens.access_token,
      "/v1/users/me/password",
      json({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    );
    const straggler = await newRefreshToken();
    await testDatabase().execute(sql`
      insert into refresh_tokens (user_id, family_id, token_version, token_hash, expires_at)
      values (${user.id}, gen_random_uuid(), ${oldVersion}, ${straggler.hash}, now() + interval '1 hour')`);
    expect((await refresh(straggler.token)).status).toBe(400);
  });

  it("never leaves a working session for the old password, however the two interleave", async () => {
    for (let trial = 0; trial < 12; trial++) {
      const { email, tokens } = await signUp();
      const change = authed(
        tokens.access_token,
        "/v1/users/me/password",
        json({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      );
      const oldSignIn = (async () => {
        await new Promise((resolve) => setTimeout(resolve, trial * 3));
        return api("/v1/auth/token", form({ grant_type: "password", username: email, password: PASSWORD }));
      })();
      const [changed, signedIn] = await Promise.all([change, oldSignIn]);
      expect(changed.status).toBe(200);
      if (signedIn.status !== 200) continue;
      const stale = await signedIn.json<TokenPair>();
      expect((await authed(stale.access_token, "/v1/users/me")).status).toBe(401);
      expect((await refresh(stale.refresh_token)).status).toBe(400);
    }
  });
});

describe("refresh retries", () => {
  it("gives a client that lost the answer a new token within the grace period, once", async () => {
    const { tokens } = await signUp();
    const lost = await (await refresh(tokens.refresh_token)).json<TokenPair>();
    const retried = await refresh(tokens.refresh_token);
    expect(retried.status).toBe(200);
    const kept = await retried.json<TokenPair>();
    expect((await authed(kept.access_token, "/v1/users/me")).status).toBe(200);
    // The answer that never arrived is void; the retry's token carries the sign-in on.
    expect((await refresh(lost.refresh_token)).status).toBe(400);
    expect((await refresh(kept.refresh_token)).status).toBe(200);
  });

  it("still revokes the sign-in when the successor was already used", async () => {
    const { tokens } = await signUp();
    const next = await (await refresh(tokens.refresh_token)).json<TokenPair>();
    const after = await (await refresh(next.refresh_token)).json<TokenPair>();
    expect((await refresh(tokens.refresh_token)).status).toBe(400);
    expect((await refresh(after.refresh_token)).status).toBe(400);
  });

  it("revokes the sign-in on any reuse when the grace period is 0", async () => {
    const { tokens } = await signUp();
    const noGrace = { REFRESH_REUSE_GRACE_SECONDS: "0" };
    const send = (token: string) =>
      api("/v1/auth/token", form({ grant_type: "refresh_token", refresh_token: token }), noGrace);
    const next = await (await send(tokens.refresh_token)).json<TokenPair>();
    expect((await send(tokens.refresh_token)).status).toBe(400);
    expect((await send(next.refresh_token)).status).toBe(400);
  });

  it("are not limited per client IP: many users behind one address all refresh", async () => {
    const sharedAddress = uniqueIp();
    const users = await Promise.all(Array.from({ length: 4 }, () => signUp()));
    const statuses: number[] = [];
    for (const user of users) {
      let token = user.tokens.refresh_token;
      for (let i = 0; i < 4; i++) {
        const response = await api(
          "/v1/auth/token",
          form({ grant_type: "refresh_token", refresh_token: token }, sharedAddress),
        );
        statuses.push(response.status);
        if (response.status === 200) token = (await response.json<TokenPair>()).refresh_token;
      }
    }
    expect(statuses).toEqual(Array(16).fill(200));
  });

  it("stores the hash of a retried token only", async () => {
    const { tokens, user } = await signUp();
    await refresh(tokens.refresh_token);
    const retried = await (await refresh(tokens.refresh_token)).json<TokenPair>();
    const { rows } = await testDatabase().execute<{ hash: string }>(
      sql`select token_hash as hash from refresh_tokens where user_id = ${user.id}`,
    );
    expect(rows.map((row) => row.hash)).toContain(await hashRefreshToken(retried.refresh_token));
    expect(rows).toHaveLength(3);
  });
});

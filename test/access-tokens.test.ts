import { env } from "cloudflare:workers";
import jwt from "@tsndr/cloudflare-worker-jwt";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../src/lib/base64url";
import { AUDIENCE, ISSUER, type SigningKeys, signAccessToken, verifyAccessToken } from "../src/lib/tokens";
import { signUp } from "./support/accounts";
import { api } from "./support/api";
import { captureLogs } from "./support/logs";

const [kid, secret] = env.JWT_SECRETS.split(":") as [string, string];
const encode = (value: object) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
const me = (token: string, overrides = {}) =>
  api("/v1/users/me", { headers: { Authorization: `Bearer ${token}` } }, overrides);

async function validClaims() {
  const { user } = await signUp();
  const now = Math.floor(Date.now() / 1000);
  return { sub: user.id, ver: 0, jti: crypto.randomUUID(), iat: now, exp: now + 600, iss: ISSUER, aud: AUDIENCE };
}

/** Signs exactly what it is given with HMAC-SHA256 (the library would add an `iat` of its own). */
async function sign(claims: object, key = secret, header: object = { kid }): Promise<string> {
  const unsigned = `${encode({ alg: "HS256", typ: "JWT", ...header })}.${encode(claims)}`;
  const hmac = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(unsigned));
  return `${unsigned}.${toBase64Url(new Uint8Array(signature))}`;
}

describe("access tokens", () => {
  it("carries sub, iat, exp, iss, aud, jti and a kid header, HS256", async () => {
    const { tokens, user } = await signUp();
    const { header, payload } = jwt.decode(tokens.access_token);
    expect(header).toMatchObject({ alg: "HS256", typ: "JWT", kid });
    expect(payload).toMatchObject({ sub: user.id, iss: ISSUER, aud: AUDIENCE, jti: expect.any(String) });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it("accepts a token we signed ourselves, as a baseline for the cases below", async () => {
    expect((await me(await sign(await validClaims()))).status).toBe(200);
  });

  it("refuses an expired token", async () => {
    const claims = await validClaims();
    expect((await me(await sign({ ...claims, exp: claims.iat - 1 }))).status).toBe(401);
  });

  it("refuses a token signed with another key", async () => {
    expect((await me(await sign(await validClaims(), "another-secret-that-is-long-enough-0123456789"))).status).toBe(
      401,
    );
  });

  it("refuses a token naming an unknown kid, or none", async () => {
    const claims = await validClaims();
    expect((await me(await sign(claims, secret, { kid: "retired" }))).status).toBe(401);
    expect((await me(await sign(claims, secret, {}))).status).toBe(401);
  });

  it("refuses alg none", async () => {
    const token = `${encode({ alg: "none", typ: "JWT", kid })}.${encode(await validClaims())}.`;
    expect((await me(token)).status).toBe(401);
    const withSignature = `${encode({ alg: "none", typ: "JWT", kid })}.${encode(await validClaims())}.AAAA`;
    expect((await me(withSignature)).status).toBe(401);
  });

  it("refuses another algorithm even with a valid HMAC", async () => {
    const token = await jwt.sign(await validClaims(), secret, { algorithm: "HS512", header: { kid } });
    expect((await me(token)).status).toBe(401);
  });

  it("refuses a tampered payload", async () => {
    const claims = await validClaims();
    const [header, , signature] = (await sign(claims)).split(".");
    const { user: other } = await signUp();
    expect((await me(`${header}.${encode({ ...claims, sub: other.id })}.${signature}`)).status).toBe(401);
  });

  it.each(["sub", "exp", "iat", "iss", "aud", "jti", "ver"])("refuses a token without %s", async (claim) => {
    const claims: Record<string, unknown> = await validClaims();
    delete claims[claim];
    expect((await me(await sign(claims))).status).toBe(401);
  });

  it("refuses a wrong issuer or audience", async () => {
    const claims = await validClaims();
    expect((await me(await sign({ ...claims, iss: "someone-else" }))).status).toBe(401);
    expect((await me(await sign({ ...claims, aud: "another-api" }))).status).toBe(401);
  });

  it("keeps accepting tokens of the previous key while a new key signs (rotation)", async () => {
    const { tokens } = await signUp();
    const rotated = { JWT_SECRETS: `next:${"n".repeat(40)},${env.JWT_SECRETS}` };
    expect((await me(tokens.access_token, rotated)).status).toBe(200);
    const { user } = await signUp();
    const fresh = await signAccessToken(
      { userId: user.id, tokenVersion: 0 },
      [{ kid: "next", secret: "n".repeat(40) }],
      60,
    );
    expect(jwt.decode(fresh).header).toMatchObject({ kid: "next" });
    expect((await me(fresh, rotated)).status).toBe(200);
    expect((await me(fresh)).status).toBe(401); // unknown before the rotation
  });
});

describe("verified tokens, remembered per isolate", () => {
  const keys: SigningKeys = [{ kid: "k1", secret: "s".repeat(40) }];
  const subject = { userId: crypto.randomUUID(), tokenVersion: 3 };

  it("still expire on time once remembered", async () => {
    const token = await signAccessToken(subject, keys, 1);
    expect(await verifyAccessToken(token, keys)).toEqual(subject);
    expect(await verifyAccessToken(token, keys)).toEqual(subject); // remembered
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect(await verifyAccessToken(token, keys)).toBeNull();
  });

  it("vouch only for the identical token: another signature on the same claims is verified afresh", async () => {
    const token = await signAccessToken(subject, keys, 600);
    expect(await verifyAccessToken(token, keys)).toEqual(subject);
    const [header, payload] = token.split(".");
    const forged = `${header}.${payload}.${toBase64Url(crypto.getRandomValues(new Uint8Array(32)))}`;
    expect(await verifyAccessToken(forged, keys)).toBeNull();
  });

  it("are not trusted under another key set (a rotation that retired the key)", async () => {
    const token = await signAccessToken(subject, keys, 600);
    expect(await verifyAccessToken(token, keys)).toEqual(subject);
    const retired: SigningKeys = [{ kid: "k2", secret: "t".repeat(40) }];
    expect(await verifyAccessToken(token, retired)).toBeNull();
  });
});

describe("secrets", () => {
  const logs = captureLogs();
  it.each([
    ["a missing pepper", { PASSWORD_PEPPER: undefined }, "PASSWORD_PEPPER"],
    ["a short pepper", { PASSWORD_PEPPER: "short" }, "PASSWORD_PEPPER"],
    ["missing signing keys", { JWT_SECRETS: undefined }, "JWT_SECRETS"],
    ["a short signing key", { JWT_SECRETS: "k1:short" }, "JWT_SECRETS"],
  ])("refuses to serve with %s and names the setting", async (_, overrides, name) => {
    const response = await api("/v1/auth/register", { method: "POST", body: "{}" }, overrides);
    expect(response.status).toBe(500);
    expect((await response.json<{ detail: string }>()).detail).toContain(name);
    const [logged] = logs.errors("configuration error");
    expect(logged).toMatchObject({ requestId: expect.any(String), error: { message: expect.stringContaining(name) } });
  });
});

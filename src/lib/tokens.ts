import jwt from "@tsndr/cloudflare-worker-jwt";
import { toBase64Url } from "./base64url";

// Access tokens: HS256 JWTs. The library neither requires `exp` nor checks `iss`/`aud`, and returns
// undefined instead of throwing on a bad signature, so every claim and the header are checked here.

export const ISSUER = "cloud-notes";
export const AUDIENCE = "cloud-notes-api";
const ALGORITHM = "HS256";
// Tolerated clock skew for `iat` only; expiry is exact.
const CLOCK_SKEW_SECONDS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

export interface SigningKey {
  kid: string;
  secret: string;
}

/** The first key signs; every key verifies, so a new key can be introduced before the old one retires. */
export type SigningKeys = [SigningKey, ...SigningKey[]];

export interface AccessTokenSubject {
  userId: string;
  /** The user's token version when the token was issued; see users.token_version. */
  tokenVersion: number;
}

interface AccessClaims {
  sub: string;
  ver: number;
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export async function signAccessToken(
  subject: AccessTokenSubject,
  keys: SigningKeys,
  ttlSeconds: number,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: AccessClaims = {
    sub: subject.userId,
    ver: subject.tokenVersion,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + ttlSeconds,
    iss: ISSUER,
    aud: AUDIENCE,
  };
  const [signing] = keys;
  return jwt.sign(claims, signing.secret, { algorithm: ALGORITHM, header: { typ: "JWT", kid: signing.kid } });
}

/** The token's subject when the token is well-formed, signed by a live key, and current; otherwise null. */
export async function verifyAccessToken(token: string, keys: SigningKeys): Promise<AccessTokenSubject | null> {
  if (!JWT_SHAPE.test(token)) return null;
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    const decoded = jwt.decode(token);
    header = decoded.header as Record<string, unknown>;
    payload = decoded.payload as Record<string, unknown>;
  } catch {
    return null;
  }
  // Pin the algorithm before anything else: no `none`, no RS/HS confusion.
  if (header?.alg !== ALGORITHM || (header.typ !== undefined && header.typ !== "JWT")) return null;
  const key = keys.find((candidate) => candidate.kid === header.kid);
  if (!key || !hasValidClaims(payload)) return null;
  const verified = await jwt.verify(token, key.secret, { algorithm: ALGORITHM });
  if (!verified) return null;
  return { userId: payload.sub, tokenVersion: payload.ver };
}

function hasValidClaims(
  payload: Record<string, unknown> | undefined,
): payload is Record<string, unknown> & AccessClaims {
  if (!payload) return false;
  const now = Math.floor(Date.now() / 1000);
  const { sub, ver, jti, iat, exp, iss, aud } = payload;
  return (
    typeof sub === "string" &&
    UUID.test(sub) &&
    Number.isSafeInteger(ver) &&
    (ver as number) >= 0 &&
    typeof jti === "string" &&
    jti.length > 0 &&
    Number.isSafeInteger(iat) &&
    (iat as number) <= now + CLOCK_SKEW_SECONDS &&
    Number.isSafeInteger(exp) &&
    (exp as number) > now &&
    iss === ISSUER &&
    aud === AUDIENCE
  );
}

/** Refresh tokens: 256 random bits for the client, only their SHA-256 for the database. */
export async function newRefreshToken(): Promise<{ token: string; hash: string }> {
  const token = toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
  return { token, hash: await hashRefreshToken(token) };
}

export async function hashRefreshToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return toBase64Url(new Uint8Array(digest));
}

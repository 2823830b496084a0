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
  return jwt.sign(claims, await cryptoKeyOf(signing), {
    algorithm: ALGORITHM,
    header: { typ: "JWT", kid: signing.kid },
  });
}

/** The token's subject when the token is well-formed, signed by a live key, and current; otherwise null. */
export async function verifyAccessToken(token: string, keys: SigningKeys): Promise<AccessTokenSubject | null> {
  const tokens = verifiedTokens(keys);
  const remembered = tokens.get(token);
  if (remembered) return remembered.exp > Math.floor(Date.now() / 1000) ? remembered.subject : null;
  const verified = await verifyAfresh(token, keys);
  if (verified) {
    if (tokens.size >= VERIFIED_TOKENS_KEPT) tokens.delete(tokens.keys().next().value ?? "");
    tokens.set(token, verified);
  }
  return verified?.subject ?? null;
}

// A client sends the same access token on every request of its 15 minutes, and verifying it (base64
// and JSON twice over in the library, then the HMAC) was a sixth of a note request's CPU. So each
// isolate remembers the tokens it verified, per key set (a rotation starts afresh), keyed by the whole
// token, signature included: only the identical string, already proven, skips the HMAC. Expiry is still
// checked on every use; revocation never depended on this (the account's token version is checked in
// each request's SQL). Bounded: the oldest is forgotten first. Only verified tokens get in.
const VERIFIED_TOKENS_KEPT = 1000;
const verifiedByKeys = new WeakMap<SigningKeys, Map<string, { subject: AccessTokenSubject; exp: number }>>();

function verifiedTokens(keys: SigningKeys) {
  let tokens = verifiedByKeys.get(keys);
  if (!tokens) {
    tokens = new Map();
    verifiedByKeys.set(keys, tokens);
  }
  return tokens;
}

async function verifyAfresh(
  token: string,
  keys: SigningKeys,
): Promise<{ subject: AccessTokenSubject; exp: number } | null> {
  if (!JWT_SHAPE.test(token)) return null;
  const header = decodedHeader(token);
  // Pin the algorithm before anything else: no `none`, no RS/HS confusion.
  if (header?.alg !== ALGORITHM || (header.typ !== undefined && header.typ !== "JWT")) return null;
  const key = keys.find((candidate) => candidate.kid === header.kid);
  if (!key) return null;
  let payload: Record<string, unknown> | undefined;
  try {
    // The library decodes the payload itself and answers it only when the signature holds.
    payload = (await jwt.verify(token, await cryptoKeyOf(key), { algorithm: ALGORITHM }))?.payload as
      | Record<string, unknown>
      | undefined;
  } catch {
    return null; // a payload that is not base64url JSON
  }
  if (!hasValidClaims(payload)) return null;
  return { subject: { userId: payload.sub, tokenVersion: payload.ver }, exp: payload.exp };
}

/**
 * The JOSE header alone: enough to pick the key. Read as Latin-1 rather than UTF-8: every value we
 * accept (alg, typ, kid) is ASCII, so a header with other bytes is garbled here and refused below.
 */
function decodedHeader(token: string): Record<string, unknown> | null {
  try {
    const base64 = token.slice(0, token.indexOf(".")).replaceAll("-", "+").replaceAll("_", "/");
    const header: unknown = JSON.parse(atob(base64));
    return typeof header === "object" && header !== null ? (header as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

// Importing an HMAC key costs more CPU than the HMAC itself, and the library imports a string secret on
// every call; a CryptoKey holds no I/O, so one import per key serves every request of the isolate.
const importedKeys = new WeakMap<SigningKey, Promise<CryptoKey>>();

function cryptoKeyOf(key: SigningKey): Promise<CryptoKey> {
  let imported = importedKeys.get(key);
  if (!imported) {
    const algorithm = { name: "HMAC", hash: "SHA-256" };
    imported = crypto.subtle.importKey("raw", new TextEncoder().encode(key.secret), algorithm, false, [
      "sign",
      "verify",
    ]);
    importedKeys.set(key, imported);
  }
  return imported;
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

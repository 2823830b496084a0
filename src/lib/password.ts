import { fromBase64Url, toBase64Url } from "./base64url";
import type { Logger } from "./log";
import { LoggableError } from "./loggable-error";

// PBKDF2-HMAC-SHA256 through WebCrypto, then keyed with a server-side pepper (HMAC), stored as
//   $pbkdf2-sha256$v=<scheme>,i=<iterations>$<salt>$<hash>      (base64url)
// so that a stronger scheme can be rolled out by re-hashing at the next sign-in.

/** Production Workers refuse more than 100,000 iterations (NotSupportedError); local workerd does not, so a test pins this. */
export const PBKDF2_ITERATIONS = 100_000;
const MAX_ITERATIONS = 100_000;
/** v=1: PBKDF2 output keyed with HMAC-SHA256(PASSWORD_PEPPER). */
const SCHEME_VERSION = 1;
const SALT_BYTES = 16;
const HASH_BITS = 256;
const FORMAT = /^\$pbkdf2-sha256\$v=(\d+),i=(\d+)\$([\w-]+)\$([\w-]+)$/;

const encoder = new TextEncoder();
const pepperKeys = new Map<string, Promise<CryptoKey>>();

export async function hashPassword(password: string, pepper: string, iterations = PBKDF2_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, iterations, pepper);
  return `$pbkdf2-sha256$v=${SCHEME_VERSION},i=${iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export interface PasswordCheck {
  valid: boolean;
  /** The stored hash uses an older scheme or fewer iterations: store a fresh one now that we know the password. */
  needsRehash: boolean;
}

export async function verifyPassword(
  password: string,
  stored: string,
  pepper: string,
  log: Logger,
): Promise<PasswordCheck> {
  const match = FORMAT.exec(stored);
  const version = Number(match?.[1]);
  const iterations = Number(match?.[2]);
  if (!match || version !== SCHEME_VERSION || iterations < 1 || iterations > MAX_ITERATIONS) {
    // Never computed: a count above the cap would fail in production, and an unknown format is corrupt data.
    log.error("password hash in an unsupported format", new LoggableError(`v=${match?.[1]} i=${match?.[2]}`));
    return { valid: false, needsRehash: false };
  }
  const expected = fromBase64Url(match[4] as string);
  const actual = await derive(password, fromBase64Url(match[3] as string), iterations, pepper);
  const valid = expected.length === actual.length && crypto.subtle.timingSafeEqual(expected, actual);
  return { valid, needsRehash: valid && iterations < PBKDF2_ITERATIONS };
}

// Unknown emails cost the same derivation as a wrong password.
const DUMMY_SALT = new Uint8Array(SALT_BYTES);

export async function verifyAgainstDummy(password: string, pepper: string): Promise<PasswordCheck> {
  await derive(password, DUMMY_SALT, PBKDF2_ITERATIONS, pepper);
  return { valid: false, needsRehash: false };
}

async function derive(password: string, salt: Uint8Array, iterations: number, pepper: string): Promise<Uint8Array> {
  // NFC so that the same password typed on different keyboards or systems hashes the same (RFC 8265).
  const material = await crypto.subtle.importKey("raw", encoder.encode(password.normalize("NFC")), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    material,
    HASH_BITS,
  );
  const keyed = await crypto.subtle.sign("HMAC", await pepperKey(pepper), bits);
  return new Uint8Array(keyed);
}

function pepperKey(pepper: string): Promise<CryptoKey> {
  let key = pepperKeys.get(pepper);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(pepper), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    pepperKeys.set(pepper, key);
  }
  return key;
}

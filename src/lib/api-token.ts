import { hashRefreshToken } from "./tokens";

// Personal API tokens as secret scanners recognise them (GitHub's format): a prefix naming what it is,
// 30 random base62 characters (178 bits), and a CRC32 of those, 6 base62 characters, so a scanner
// (and this API, before any database call) can tell a real token from a string that merely looks
// like one. Only the token's SHA-256 is stored.

export const API_TOKEN_PREFIX = "cn_pat_";
const RANDOM_LENGTH = 30;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SHAPE = new RegExp(`^${API_TOKEN_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE 802.3, as zlib and GitHub's tokens use) of ASCII text. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let index = 0; index < text.length; index++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(index)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value: number, length: number): string {
  let text = "";
  let rest = value;
  for (let place = 0; place < length; place++) {
    text = BASE62[rest % 62] + text;
    rest = Math.floor(rest / 62);
  }
  return text;
}

/** `length` uniformly random base62 characters (bytes from 248 up are drawn again: 248 = 4 × 62). */
function randomBase62(length: number): string {
  let text = "";
  while (text.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && text.length < length) text += BASE62[byte % 62];
    }
  }
  return text;
}

/** A new token, shown once; what is stored of it: its hash and last four characters. */
export async function newApiToken(): Promise<{ token: string; hash: string; lastFour: string }> {
  const random = randomBase62(RANDOM_LENGTH);
  const token = `${API_TOKEN_PREFIX}${random}${base62(crc32(random), CHECKSUM_LENGTH)}`;
  return { token, hash: await hashApiToken(token), lastFour: token.slice(-4) };
}

/** Whether `text` is shaped like a token this API issues: the prefix, the length, a matching checksum. */
export function isApiToken(text: string): boolean {
  if (!SHAPE.test(text)) return false;
  const random = text.slice(API_TOKEN_PREFIX.length, API_TOKEN_PREFIX.length + RANDOM_LENGTH);
  return text.slice(-CHECKSUM_LENGTH) === base62(crc32(random), CHECKSUM_LENGTH);
}

/** Whether a bearer credential is meant as an API token (rather than an access token): its prefix. */
export const claimsApiToken = (text: string) => text.startsWith(API_TOKEN_PREFIX);

/** The SHA-256 a token is looked up by, as refresh tokens and share links are. */
export const hashApiToken = hashRefreshToken;

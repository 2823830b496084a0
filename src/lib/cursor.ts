import { z } from "@hono/zod-openapi";
import { fromBase64Url, toBase64Url } from "./base64url";
import { validationFailed } from "./problem";

// An opaque keyset cursor: the last row's sort values, signed with an HMAC over the listing it belongs
// to. Only cursors this API made for the same listing verify, so a forged or edited one is refused
// before any of its fields is read, and no value a client invents ever reaches a statement. The
// timestamp keeps Postgres' microseconds, so rows created within one millisecond still order exactly;
// `rank` is present when sorting by relevance.

const PositionSchema = z.strictObject({
  // Timestamps of rows this API wrote: never before 1970, and never an impossible date.
  time: z
    .string()
    .regex(/^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
    .refine(isRealInstant),
  id: z.uuid(),
  // ts_rank's value, a Postgres real.
  rank: z.number().min(0).max(3.4e38).optional(),
  // A public note's score (a Postgres integer), when the feed is sorted by it.
  score: z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1)
    .optional(),
});

export type Cursor = z.infer<typeof PositionSchema>;

/** True when the timestamp names a real instant: 2026-02-30 or 25:61 do not survive a round trip. */
function isRealInstant(time: string): boolean {
  const milliseconds = `${time.slice(0, 23)}Z`;
  const parsed = Date.parse(milliseconds);
  // Date.parse answers NaN for what it cannot read (month 13), where toISOString() would throw.
  return Number.isFinite(parsed) && new Date(parsed).toISOString() === milliseconds;
}

/** What a cursor is bound to: every parameter of a listing except the page size and the cursor itself. */
export type Listing = Record<string, string | number | boolean | string[] | undefined>;

const encoder = new TextEncoder();
const PAYLOAD = /^[A-Za-z0-9_-]{1,400}$/;
// An HMAC-SHA256 tag: 32 bytes are 43 characters of unpadded base64url.
const MAC = /^[A-Za-z0-9_-]{43}$/;
const keys = new Map<string, CryptoKey>();

/**
 * The cursor key, derived from a server secret with HKDF under a label of its own, so it is
 * independent of what else that secret keys. Cached per secret as a key, not as a promise, so no
 * request ever waits on work begun by another.
 */
async function cursorKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("cloud-notes keyset cursor v1") },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
  keys.set(secret, key);
  return key;
}

/**
 * The listing as one string, independent of how the query spelled it: parameters sorted by name,
 * absent ones left out, and repeatable ones (tags) as sorted sets, so `tag=a&tag=b` and
 * `tag=b&tag=a` are one listing.
 */
export function canonicalListing(listing: Listing): string {
  const entries = Object.entries(listing)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, Array.isArray(value) ? [...new Set(value)].sort() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

const signedData = (listing: Listing, payload: string) => encoder.encode(`${canonicalListing(listing)}\n${payload}`);

/** `value` as JSON, signed for `listing`: what only this API can make, and only for that listing. */
export async function signPosition(value: unknown, listing: Listing, secret: string): Promise<string> {
  const payload = toBase64Url(encoder.encode(JSON.stringify(value)));
  const mac = await crypto.subtle.sign("HMAC", await cursorKey(secret), signedData(listing, payload));
  return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/** The JSON value of a cursor signPosition made for the same listing; undefined for anything else. */
export async function verifiedPosition(text: string, listing: Listing, secret: string): Promise<unknown> {
  const [payload, mac, ...rest] = text.split(".");
  if (!payload || !mac || rest.length > 0 || !PAYLOAD.test(payload) || !MAC.test(mac)) return undefined;
  // The tag is checked, in constant time, before a byte of the payload is decoded.
  const authentic = await crypto.subtle.verify(
    "HMAC",
    await cursorKey(secret),
    fromBase64Url(mac),
    signedData(listing, payload),
  );
  if (!authentic) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(fromBase64Url(payload)));
  } catch {
    return undefined;
  }
}

export const encodeCursor = (position: Cursor, listing: Listing, secret: string) =>
  signPosition(position, listing, secret);

/** The position a cursor made by this API for the same listing carries; otherwise a 422. */
export async function decodeCursor(
  text: string,
  expected: { listing: Listing; ranked: boolean; scored?: boolean; secret: string },
): Promise<Cursor> {
  const result = PositionSchema.safeParse(await verifiedPosition(text, expected.listing, expected.secret));
  if (!result.success) throw invalidCursor();
  const { rank, score } = result.data;
  if ((rank !== undefined) !== expected.ranked || (score !== undefined) !== (expected.scored ?? false)) {
    throw invalidCursor();
  }
  return result.data;
}

export const invalidCursor = () =>
  validationFailed([
    { path: "query.cursor", message: "not a cursor from this listing: pass nextCursor back with the same filters" },
  ]);

/** A listing's rows as a statement answers them: the page's items, each with its keyset position. */
type Positioned = { id: string; cursorTime: string; rank?: number | null; cursorScore?: number | null };

/**
 * One page from rows fetched with one extra (which tells that another page follows): the items
 * without their positions, and the signed cursor to the next page, or null on the last.
 */
export async function keysetPage<Row extends Positioned>(
  rows: Row[],
  limit: number,
  signing: { listing: Listing; secret: string },
): Promise<{ items: Omit<Row, "cursorTime" | "rank" | "cursorScore">[]; nextCursor: string | null }> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const position = last && {
    time: last.cursorTime,
    id: last.id,
    rank: last.rank ?? undefined,
    score: last.cursorScore ?? undefined,
  };
  const nextCursor =
    rows.length > limit && position ? await encodeCursor(position, signing.listing, signing.secret) : null;
  return { items: page.map(({ cursorTime: _, rank: __, cursorScore: ___, ...item }) => item), nextCursor };
}

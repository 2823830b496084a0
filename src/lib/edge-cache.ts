import type { Context, TypedResponse } from "hono";
import { canonicalListing, type Listing } from "./cursor";
import { ifNoneMatchHits } from "./etag";

// Anonymous answers of the public routes are the same for everyone: shared caches may keep them for a
// minute, and this worker keeps them in its location's cache (the Workers Cache API), so a hit costs no
// database round trip. A change that makes a copy stale (an edit, unpublishing, deleting, a vote)
// deletes the copies this worker can name: the note, and the feed's first pages. Other copies (later
// pages, other filters, other locations and caches downstream) live at most S_MAXAGE seconds. The
// Cache API does nothing on workers.dev hostnames: there every answer comes from the database.

const S_MAXAGE = 60;
export const PUBLIC_CACHE_CONTROL = `public, s-maxage=${S_MAXAGE}, max-age=0, must-revalidate`;
const FEED_PATH = "/v1/public/notes";
const FIRST_PAGES: Listing[] = [
  { sort: "new", tag: [], limit: 20 },
  { sort: "top", tag: [], limit: 20 },
];

/** The cache key of a public answer: the path and, for the feed, its listing in one canonical spelling. */
export function publicCacheKey(origin: string, path: string, listing?: Listing): Request {
  const query = listing ? `?l=${encodeURIComponent(canonicalListing(listing))}` : "";
  return new Request(`${origin}${path}${query}`);
}

/** A strong ETag from the bytes of a JSON answer, so equal answers validate equally wherever they were made. */
async function bodyEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${[...digest.slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * A public JSON answer for an anonymous caller: from this location's cache when it holds one, else
 * made by `produce` (which throws the problem when there is nothing), stored, and answered. A matching
 * If-None-Match gets 304.
 */
export async function cachedPublicJson<T>(
  c: Context,
  key: Request,
  produce: () => Promise<T>,
): Promise<(Response & TypedResponse<T, 200, "json">) | (Response & TypedResponse<null, 304, "body">)> {
  const cache = caches.default;
  // A client asking for a fresh answer (`Cache-Control: no-cache`) gets one, which refreshes the copy.
  const fresh = /\bno-cache\b/i.test(c.req.header("Cache-Control") ?? "");
  let response = fresh ? undefined : await cache.match(key);
  if (!response) {
    const body = JSON.stringify(await produce());
    response = new Response(body, {
      headers: {
        "Content-Type": "application/json",
        "Cache-Control": PUBLIC_CACHE_CONTROL,
        ETag: await bodyEtag(body),
      },
    });
    c.executionCtx.waitUntil(cache.put(key, response.clone()));
  }
  const etag = response.headers.get("ETag") ?? "";
  if (ifNoneMatchHits(c.req.header("If-None-Match"), etag)) {
    return c.body(null, 304, { ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL });
  }
  // The cached bytes are the JSON of a T that `produce` made, here or for an earlier request: typed so.
  // A copy, too: what the cache hands back has immutable headers, and middleware adds its own after this.
  return new Response(response.body, response) as Response & TypedResponse<T, 200, "json">;
}

/** Deletes this location's cached copies of public notes and of the feed's first pages, after the answer. */
export function purgePublicNotes(c: Context, noteIds: string[]): void {
  const origin = new URL(c.req.url).origin;
  const keys = [
    ...noteIds.map((noteId) => publicCacheKey(origin, `${FEED_PATH}/${noteId}`)),
    ...FIRST_PAGES.map((listing) => publicCacheKey(origin, FEED_PATH, listing)),
  ];
  c.executionCtx.waitUntil(Promise.all(keys.map((key) => caches.default.delete(key))));
}

export const purgePublicNote = (c: Context, noteId: string) => purgePublicNotes(c, [noteId]);

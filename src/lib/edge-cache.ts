import type { Context, TypedResponse } from "hono";
import { ifNoneMatchHits } from "./etag";

// Anonymous answers of the public routes are the same for everyone: shared caches may keep them for a
// minute, and this worker keeps them in its location's cache (the Workers Cache API), so a hit costs no
// database round trip. Every cached answer belongs to a scope, one note or the whole feed (all its
// sorts, filters and pages), and its key carries the scope's current generation: a random token kept
// in the same cache. A change that makes copies stale (an edit, a publication change, a deletion, a
// vote) replaces the generation of the note's scope and of the feed before it answers, so no later
// request at this location reaches an older copy, and a read that raced the change and stores a stale
// copy stores it under a generation nobody asks for any more. Other locations, and caches downstream,
// keep a copy at most S_MAXAGE seconds. The Cache API does nothing on workers.dev hostnames: there
// every answer comes from the database.

const S_MAXAGE = 60;
export const PUBLIC_CACHE_CONTROL = `public, s-maxage=${S_MAXAGE}, max-age=0, must-revalidate`;
// What a public answer depends on besides its URL: whether the caller is signed in (myVote).
const VARY = "Authorization";
// A generation outlives the copies made under it; if the cache evicts it, a new one is drawn, which
// only makes older copies unreachable.
const GENERATION_CACHE_CONTROL = "public, max-age=86400";

/** What a cached public answer is about: one note, or the feed. */
export type PublicScope = { note: string } | "feed";

const scopeName = (scope: PublicScope) => (scope === "feed" ? "feed" : `note/${scope.note.toLowerCase()}`);

/** Keys live on the request's host (the Cache API keys by zone), always https, whatever the request's spelling. */
const cacheBase = (c: Context) => `https://${new URL(c.req.url).host}/__edge-cache`;

const generationKey = (c: Context, scope: PublicScope) => new Request(`${cacheBase(c)}/generation/${scopeName(scope)}`);

function newGeneration(c: Context, scope: PublicScope): Promise<string> {
  const generation = crypto.randomUUID();
  const marker = new Response(generation, { headers: { "Cache-Control": GENERATION_CACHE_CONTROL } });
  return caches.default.put(generationKey(c, scope), marker).then(() => generation);
}

async function currentGeneration(c: Context, scope: PublicScope): Promise<string> {
  const marker = await caches.default.match(generationKey(c, scope));
  return marker ? marker.text() : newGeneration(c, scope);
}

/** A strong ETag from the bytes of a JSON answer, so equal answers validate equally wherever they were made. */
async function bodyEtag(body: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
  return `"${[...digest.slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * A public JSON answer for an anonymous caller: from this location's cache when it holds one for the
 * scope's current generation, else made by `produce` (which throws the problem when there is nothing),
 * stored, and answered. `variant` names the answer within its scope in one canonical spelling (the
 * feed's listing). A matching If-None-Match gets 304; `Cache-Control: no-cache` asks for a fresh answer.
 */
export async function cachedPublicJson<T>(
  c: Context,
  scope: PublicScope,
  variant: string,
  produce: () => Promise<T>,
): Promise<(Response & TypedResponse<T, 200, "json">) | (Response & TypedResponse<null, 304, "body">)> {
  const cache = caches.default;
  const generation = await currentGeneration(c, scope);
  const key = new Request(`${cacheBase(c)}/${scopeName(scope)}/${generation}?${encodeURIComponent(variant)}`);
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
    return c.body(null, 304, { ETag: etag, "Cache-Control": PUBLIC_CACHE_CONTROL, Vary: VARY });
  }
  // The cached bytes are the JSON of a T that `produce` made, here or for an earlier request: typed so.
  // A copy, too: what the cache hands back has immutable headers, and middleware adds its own after this.
  const answer = new Response(response.body, response);
  answer.headers.set("Vary", VARY);
  return answer as Response & TypedResponse<T, 200, "json">;
}

/** A signed-in caller's answer on a public route: never cached by anyone, and marked as depending on who asks. */
export const VIEWER_HEADERS = { "Cache-Control": "private, no-cache", Vary: VARY };

/**
 * Makes this location's cached copies of these notes unreachable, and of the whole feed when a public
 * note changed what the feed shows: awaited before answering, so the next request sees the change. A
 * note's scope is cheap to replace whether or not it was ever public; the feed's only when needed, so
 * edits of private notes do not empty the feed's cache.
 */
export async function purgePublicCopies(c: Context, change: { notes: string[]; feed: boolean }): Promise<void> {
  const scopes: PublicScope[] = [...(change.feed ? ["feed" as const] : []), ...change.notes.map((note) => ({ note }))];
  await Promise.all(scopes.map((scope) => newGeneration(c, scope)));
}

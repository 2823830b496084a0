import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode, StatusCode } from "hono/utils/http-status";
import { ANONYMOUS, type Caller, userIdOf } from "../db/queries/caller";
import {
  claimKey,
  type IdempotencyKeyRef,
  releaseKey,
  type StoredAnswer,
  storeAnswer,
} from "../db/queries/idempotent-requests";
import { IDEMPOTENCY_TTL_HOURS } from "../db/schema";
import { clientNetwork } from "../lib/client-ip";
import { requestLogger } from "../lib/log";
import { Problem, problemType, sessionEnded, validationFailed } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { text } from "../lib/schemas";

const KEY_PATH = "header.idempotency-key";
const KEY_RULE = "must be 1 to 255 visible ASCII characters (0x21-0x7E)";

/** The optional request header, as every POST and PUT that honours it documents it (see contracts.ts). */
export const IdempotencyKeyHeaders = z.object({
  "idempotency-key": text()
    .min(1, KEY_RULE)
    .max(255, KEY_RULE)
    .regex(/^[\x21-\x7e]+$/, KEY_RULE)
    .optional()
    .openapi({
      description:
        `Makes a retry safe: the same key with the same request from the same caller within ` +
        `${IDEMPOTENCY_TTL_HOURS} hours replays the first final answer (status, headers, body) with ` +
        "`Idempotent-Replayed: true` instead of running again. The same key with another request is 422 " +
        "`urn:cloud-notes:problem:idempotency-mismatch`; while the first is still running, 409 " +
        "`urn:cloud-notes:problem:idempotency-in-progress` with `Retry-After`.",
      example: "3f1c9a52-8d0e-4e7a-b1f4-6a2d9c0e7b35",
    }),
});

export interface IdempotencyOptions {
  /**
   * What of the body the fingerprint covers: its bytes for the small JSON and form bodies the route
   * parses (after its body limit), its Content-Length for bodies the route streams (uploads), which
   * must not be read here.
   */
  fingerprintBody: "bytes" | "length";
}

// Per request, not part of the answer: set again by the global middleware on every response.
const NOT_REPLAYED = /^(x-request-id|content-length|access-control-.*)$/i;

/**
 * `Idempotency-Key` with Stripe's semantics, after auth and database(): the first request with a key
 * claims it (one statement) and, once it has a final answer, stores it (a second); retries of it
 * replay that answer without running the route. Without the header, nothing happens: no round trip.
 */
export function idempotency(options: IdempotencyOptions): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const header = c.req.header("Idempotency-Key");
    if (header === undefined) return next();
    const parsed = IdempotencyKeyHeaders.shape["idempotency-key"].safeParse(header);
    if (!parsed.success || parsed.data === undefined)
      throw validationFailed([{ path: KEY_PATH, message: parsed.error?.issues[0]?.message ?? KEY_RULE }]);

    // Routes anyone may call without optionalUser() set neither.
    const caller: Caller = c.var.caller ?? c.var.viewer ?? ANONYMOUS;
    const ref: IdempotencyKeyRef = { scope: keyScopeOf(caller, c), key: parsed.data };
    const fingerprint = await fingerprintOf(c, options);
    const claim = await claimKey(c.var.db, caller, ref, fingerprint);

    switch (claim.kind) {
      case "unauthenticated":
        throw sessionEnded();
      case "running":
        if (claim.fingerprint !== null && claim.fingerprint !== fingerprint) throw keyReused();
        throw stillRunning();
      case "answered":
        if (claim.fingerprint !== fingerprint) throw keyReused();
        return replay(c, claim.answer);
    }

    try {
      await next();
    } catch (error) {
      // The app's onError renders what a route throws before this sees it; this is the belt to those braces.
      await releaseKey(c.var.db, ref, claim.claimedAt).catch((cause) =>
        requestLogger(c).error("idempotency: release failed", cause),
      );
      throw error;
    }
    const verdict = await settle(c.res);
    // The route's work is done either way; a failed write leaves the claim to be taken over later.
    const settled =
      verdict.kind === "store"
        ? storeAnswer(c.var.db, ref, claim.claimedAt, verdict.answer)
        : verdict.kind === "release"
          ? releaseKey(c.var.db, ref, claim.claimedAt)
          : Promise.resolve();
    await settled.catch((error) => requestLogger(c).error("idempotency: settling the key failed", error));
  };
}

/**
 * Whose keys a key is among: a user's password sign-ins share theirs; each API token has its own, so a
 * token (a notebook-limited one, say) is never answered what another credential of the user was;
 * anonymous callers by network.
 */
function keyScopeOf(caller: Caller, c: Context<AppEnv>): string {
  if (caller.kind === "token") return `token:${caller.tokenId}`;
  return userIdOf(caller) ?? `anon:${clientNetwork(c.req)}`;
}

/** SHA-256 over what makes two requests the same one: method, path, query, Content-Type and the body. */
async function fingerprintOf(c: Context<AppEnv>, options: IdempotencyOptions): Promise<string> {
  const url = new URL(c.req.url);
  const head = [
    c.req.method,
    url.pathname,
    url.search,
    // Streamed bodies by their media type alone: a multipart client draws a new boundary every time.
    options.fingerprintBody === "length"
      ? (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase()
      : (c.req.header("Content-Type") ?? ""),
    options.fingerprintBody === "length" ? `length:${c.req.header("Content-Length") ?? ""}` : "bytes:",
  ].join("\n");
  const headBytes = new TextEncoder().encode(head);
  // Hono caches the bytes, so the validator that follows (and requireUtf8Json before) read them once.
  const body = options.fingerprintBody === "bytes" ? new Uint8Array(await c.req.arrayBuffer()) : new Uint8Array();
  const message = new Uint8Array(headBytes.byteLength + body.byteLength);
  message.set(headBytes);
  message.set(body, headBytes.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", message));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * What becomes of the key once the route answered:
 * - `hold`: a 503 (the database did not answer): the write may have committed unseen, so the claim
 *   stays and retries get 409 until it can be taken over, rather than running the write twice now;
 * - `release`: an answer that nothing was written and that asks for a retry (429, or a Retry-After
 *   such as concurrent-change's 409), or one marked `no-store` (it holds secrets, tokens, that must
 *   not be kept): the key is free for the retry;
 * - `store`: every other answer is final, 4xx and 500 included (Stripe's rule), and is replayed.
 */
async function settle(
  response: Response,
): Promise<{ kind: "store"; answer: StoredAnswer } | { kind: "release" } | { kind: "hold" }> {
  const { status } = response;
  if (status === 503) return { kind: "hold" };
  const noStore = /\bno-store\b/i.test(response.headers.get("Cache-Control") ?? "");
  if (status === 429 || response.headers.has("Retry-After") || noStore) return { kind: "release" };
  const headers = [...response.headers].filter(([name]) => !NOT_REPLAYED.test(name));
  return { kind: "store", answer: { status, headers: JSON.stringify(headers), body: await response.clone().text() } };
}

function replay(c: Context<AppEnv>, answer: StoredAnswer): Response {
  const headers: Record<string, string> = Object.fromEntries(JSON.parse(answer.headers) as [string, string][]);
  headers["Idempotent-Replayed"] = "true";
  // 204 and 304 carry no body, and a Response refuses even an empty one with them.
  if (answer.body === "") return c.body(null, answer.status as StatusCode, headers);
  return c.body(answer.body, answer.status as ContentfulStatusCode, headers);
}

const stillRunning = () =>
  new Problem(409, {
    type: problemType("idempotency-in-progress"),
    detail: "A request with this Idempotency-Key is still running; retry after it finishes.",
    headers: { "Retry-After": "1" },
  });

const keyReused = () =>
  new Problem(422, {
    type: problemType("idempotency-mismatch"),
    detail: "This Idempotency-Key was sent with another request; send a new key for a new request.",
    extensions: {
      errors: [{ path: KEY_PATH, message: "was used with a different method, path, query, Content-Type or body" }],
    },
  });

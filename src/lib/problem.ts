import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { statusTitle } from "./http-status";
import { shownPath } from "./route-of";

export interface FieldError {
  path: string;
  message: string;
}

interface ProblemInit {
  type?: string;
  /** Defaults to the status's reason phrase. */
  title?: string;
  detail: string;
  headers?: Record<string, string>;
  /** RFC 9457 extension members, e.g. `errors` for validation failures. */
  extensions?: Record<string, unknown>;
}

/** An RFC 9457 problem. Thrown anywhere; rendered once, by the app's error handler. */
export class Problem extends Error {
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(
    readonly status: ContentfulStatusCode,
    init: ProblemInit,
  ) {
    super(init.detail);
    this.type = init.type ?? "about:blank";
    this.title = init.title ?? statusTitle(status);
    this.detail = init.detail;
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}

/** Problem types are URNs of ours; the README lists them. `about:blank` means "just the HTTP status". */
export const problemType = (name: string) => `urn:cloud-notes:problem:${name}`;

export const badRequest = (detail: string) => new Problem(400, { detail });

/** RFC 6750: no error code when credentials are missing, `invalid_token` when they are bad. */
export const unauthorized = (detail = "A bearer access token is required.", error?: "invalid_token") =>
  new Problem(401, {
    detail,
    headers: { "WWW-Authenticate": `Bearer realm="cloud-notes"${error ? `, error="${error}"` : ""}` },
  });

/** A verified token whose account is gone or whose sessions were ended (password change). */
export const sessionEnded = () => unauthorized("This session has ended; sign in again.", "invalid_token");

export const forbidden = (detail: string, name: string) => new Problem(403, { type: problemType(name), detail });

export const notFound = (detail = "The requested resource does not exist.") => new Problem(404, { detail });

export const methodNotAllowed = (allowed: string[]) =>
  new Problem(405, {
    detail: `This resource supports ${allowed.join(", ")}.`,
    headers: { Allow: allowed.join(", ") },
  });

/** Bytes past the quota of the account that pays for them: a loose note's owner, or its notebook's owner. */
export const storageQuotaExceeded = (quotaBytes: number) =>
  new Problem(413, {
    type: problemType("storage-quota"),
    detail:
      `This would take the attachments of the account that pays for them (the note's owner, or the owner ` +
      `of its notebook) past its ${quotaBytes}-byte storage quota.`,
  });

export const conflict = (detail: string, name = "conflict") => new Problem(409, { type: problemType(name), detail });

export const tooManyRequests = (retryAfterSeconds: number) =>
  new Problem(429, {
    type: problemType("rate-limited"),
    detail: `Too many requests; try again in ${retryAfterSeconds} seconds.`,
    headers: { "Retry-After": String(retryAfterSeconds) },
  });

/** 503 while a dependency (the database) is unreachable or too slow; clients should retry shortly. */
export const dependencyUnavailable = (extensions: Record<string, unknown> = {}) =>
  new Problem(503, {
    type: problemType("dependency-unavailable"),
    detail: "The database did not answer in time; try again shortly.",
    headers: { "Retry-After": "5", "Cache-Control": "no-store" },
    extensions,
  });

/** The database rolled back the request's work because a concurrent request got in its way. */
export const concurrentChange = () =>
  new Problem(409, {
    type: problemType("concurrent-change"),
    detail: "A concurrent change to the same data got in the way and nothing was changed; try again.",
    headers: { "Retry-After": "1" },
  });

export const validationFailed = (errors: FieldError[]) =>
  new Problem(422, {
    type: problemType("validation"),

    detail: "The request did not match the expected schema; see errors.",
    extensions: { errors },
  });

export function renderProblem(c: Context, problem: Problem): Response {
  const body = {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: shownPath(c.req.path),
    requestId: c.get("requestId"),
    ...problem.extensions,
  };
  return c.body(JSON.stringify(body), problem.status, {
    ...problem.headers,
    "Content-Type": "application/problem+json",
  });
}

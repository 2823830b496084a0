import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { statusTitle } from "./http-status";
import { shownPath } from "./route-of";

export interface FieldError {
  path: string;
  message: string;
}

/**
 * Every problem type of ours, by name (`urn:cloud-notes:problem:<name>`), with its status and what it
 * means: the one list that `problemType` accepts and the OpenAPI document's enum of `Problem.type`
 * (src/lib/openapi.ts) is built from. `oauth` types travel in the token endpoints' OAuthError instead.
 */
export const PROBLEM_TYPES = {
  validation: { status: 422, about: "The request did not match the schema; `errors` names each field (`body.title`)." },
  "idempotency-mismatch": { status: 422, about: "The Idempotency-Key was sent before with another request." },
  "incomplete-upload": { status: 400, about: "The upload ended before all its bytes arrived." },
  forbidden: { status: 403, about: "Your role on the notebook is too weak for this." },
  "wrong-password": { status: 403, about: "The current password given to confirm the change is wrong." },
  "own-note": { status: 403, about: "Authors cannot vote on their own notes." },
  "insufficient-scope": {
    status: 403,
    about:
      "The API token lacks the scope the operation needs (WWW-Authenticate names it), or only a password sign-in may.",
  },
  conflict: { status: 409, about: "The request conflicts with the current state." },
  "email-unavailable": { status: 409, about: "The email address cannot be used to register." },
  "owner-role": { status: 409, about: "A notebook's owner cannot be demoted, removed or leave." },
  "already-member": { status: 409, about: "The invited email is already a member's." },
  "member-limit": { status: 409, about: "The notebook has as many members as it may." },
  "invitation-limit": { status: 409, about: "The notebook has as many pending invitations as it may." },
  "attachment-limit": { status: 409, about: "The note has as many attachments as it may." },
  "share-link-limit": { status: 409, about: "The note has as many live share links as it may." },
  "webhook-limit": { status: 409, about: "You have as many webhook endpoints as you may." },
  "api-token-limit": { status: 409, about: "You have as many API tokens as you may." },
  "concurrent-change": {
    status: 409,
    about: "A concurrent request got in the way and nothing changed; retry after Retry-After.",
  },
  "idempotency-in-progress": {
    status: 409,
    about: "A request with this Idempotency-Key is still running; retry after Retry-After.",
  },
  "resync-required": {
    status: 410,
    about: "The change-feed cursor is older than the feed keeps; list everything again and start from a new cursor.",
  },
  "stale-version": { status: 412, about: "The resource changed since the ETag in If-Match." },
  "body-too-large": { status: 413, about: "The request body is larger than the operation takes." },
  "attachment-too-large": {
    status: 413,
    about: "The file is larger than MAX_ATTACHMENT_BYTES, or than its Content-Length.",
  },
  "import-too-large": {
    status: 413,
    about: "The import is larger than MAX_IMPORT_BYTES, or holds more files or notes than an import may.",
  },
  "storage-quota": { status: 413, about: "The bytes would pass the storage quota of the account that pays for them." },
  "rate-limited": { status: 429, about: "Too many requests; retry after Retry-After." },
  "too-many-failed-sign-ins": {
    status: 429,
    about: "The account is locked after wrong passwords; retry after Retry-After.",
  },
  "dependency-unavailable": { status: 503, about: "The database is unreachable or too slow; retry after Retry-After." },
  "storage-unavailable": { status: 503, about: "The file store did not take the upload; retry after Retry-After." },
  "oauth-invalid_request": { status: 400, about: "OAuth: a required field is missing or malformed.", oauth: true },
  "oauth-invalid_grant": {
    status: 400,
    about: "OAuth: wrong credentials, or a spent or unknown refresh token.",
    oauth: true,
  },
  "oauth-unsupported_grant_type": { status: 400, about: "OAuth: a grant type the server does not offer.", oauth: true },
} as const satisfies Record<string, { status: ContentfulStatusCode; about: string; oauth?: true }>;

export type ProblemName = keyof typeof PROBLEM_TYPES;
/** The names of the problem types that answer with `status`. */
export type ProblemNameFor<Status extends number> = {
  [Name in ProblemName]: (typeof PROBLEM_TYPES)[Name]["status"] extends Status ? Name : never;
}[ProblemName];
export type ProblemTypeUri = "about:blank" | `urn:cloud-notes:problem:${ProblemName}`;

/** Problem types are URNs of ours (PROBLEM_TYPES); `about:blank` means "just the HTTP status". */
export const problemType = (name: ProblemName) => `urn:cloud-notes:problem:${name}` as const;

/** PROBLEM_TYPES as a list: each type's name, URI, status and meaning. */
export const problemTypeList = (Object.keys(PROBLEM_TYPES) as ProblemName[]).map((name) => ({
  name,
  uri: problemType(name),
  ...PROBLEM_TYPES[name],
}));

interface ProblemInit {
  type?: ProblemTypeUri;
  /** Defaults to the status's reason phrase. */
  title?: string;
  detail: string;
  headers?: Record<string, string>;
  /** RFC 9457 extension members, e.g. `errors` for validation failures. */
  extensions?: Record<string, unknown>;
}

/** An RFC 9457 problem. Thrown anywhere; rendered once, by the app's error handler. */
export class Problem extends Error {
  override name = "Problem";
  readonly type: ProblemTypeUri;
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

export const badRequest = (detail: string) => new Problem(400, { detail });

/** RFC 6750: no error code when credentials are missing, `invalid_token` when they are bad. */
export const unauthorized = (detail = "A bearer access token is required.", error?: "invalid_token") =>
  new Problem(401, {
    detail,
    headers: { "WWW-Authenticate": `Bearer realm="cloud-notes"${error ? `, error="${error}"` : ""}` },
  });

/**
 * RFC 6750's insufficient_scope: a valid API token without the scope the operation needs, or any token
 * on an operation only a password sign-in may call (`scope` undefined).
 */
export const insufficientScope = (scope: string | undefined) =>
  new Problem(403, {
    type: problemType("insufficient-scope"),
    detail:
      scope === undefined
        ? "API tokens cannot do this: sign in with your password."
        : `This API token lacks the scope ${scope}.`,
    headers: {
      "WWW-Authenticate":
        scope === undefined
          ? 'Bearer realm="cloud-notes", error="insufficient_scope", error_description="sign in with a password"'
          : `Bearer realm="cloud-notes", error="insufficient_scope", scope="${scope}"`,
    },
  });

/** A verified token whose account is gone or whose sessions were ended (password change). */
export const sessionEnded = () => unauthorized("This session has ended; sign in again.", "invalid_token");

export const forbidden = (detail: string, name: ProblemNameFor<403>) =>
  new Problem(403, { type: problemType(name), detail });

export const resyncRequired = (retentionDays: number) =>
  new Problem(410, {
    type: problemType("resync-required"),
    detail: `The feed keeps changes for ${retentionDays} days and this cursor is older: list everything again, then sync from GET /v1/changes without a cursor.`,
  });

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

export const conflict = (detail: string, name: ProblemNameFor<409> = "conflict") =>
  new Problem(409, { type: problemType(name), detail });

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

/** The members a problem answers with (also the OpenAPI document's examples). */
export function problemBody(problem: Problem, instance: string, requestId: string) {
  return {
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance,
    requestId,
    ...problem.extensions,
  };
}

export function renderProblem(c: Context, problem: Problem): Response {
  const body = problemBody(problem, shownPath(c.req.path), c.get("requestId"));
  return c.body(JSON.stringify(body), problem.status, {
    ...problem.headers,
    "Content-Type": "application/problem+json",
  });
}

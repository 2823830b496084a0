import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { type Action, PERMISSIONS, type Permission, type Role } from "../db/queries/permissions";
import {
  type HeaderName,
  type HeaderObject,
  header,
  isProblemStatus,
  type ProblemStatus,
  problem,
  problemContent,
  problems,
} from "../lib/openapi";
import { signedIn } from "../lib/openapi-security";
import type { AppEnv } from "../lib/router";
import { optionalUser, type RouteAccess, requireUser } from "../middleware/auth";
import { limitBody } from "../middleware/body-limit";
import { database } from "../middleware/database";
import { IdempotencyKeyHeaders, idempotency } from "../middleware/idempotency";
import { requireUtf8Json } from "../middleware/utf8-json";
import { nudgeWebhooks } from "../middleware/webhook-nudge";

type Contract = Omit<RouteConfig, "security" | "middleware" | "operationId"> & {
  /** The exported contract's name (`createNote`): what generated clients call the operation. */
  operationId: string;
};

const takesJson = (contract: Contract) => contract.request?.body?.content["application/json"] !== undefined;

const takesForm = (contract: Contract) =>
  contract.request?.body?.content["application/x-www-form-urlencoded"] !== undefined;

/** Routes that take JSON refuse bytes that are not UTF-8 before the validator decodes them. */
const bodyChecks = (contract: Contract) => (takesJson(contract) ? [requireUtf8Json()] : []);

/** Routes that parse their body (JSON, a form) have small ones; the others stream theirs (uploads). */
const parsesBody = (contract: Contract) => takesJson(contract) || takesForm(contract);

const honoursKey = (contract: Contract, options: { ignoresIdempotencyKey?: boolean }) =>
  (contract.method === "post" || contract.method === "put") && !options.ignoresIdempotencyKey;

/**
 * Every POST and PUT honours `Idempotency-Key` (docs/api-conventions.md "Safe retries"): after auth and the database,
 * so keys are the caller's and the claim has a connection. Nothing else: no key, no round trip.
 */
const retrySafety = (contract: Contract, options: { ignoresIdempotencyKey?: boolean }) =>
  honoursKey(contract, options) ? [idempotency({ fingerprintBody: parsesBody(contract) ? "bytes" : "length" })] : [];

/** What runs in front of a route's handler, as far as its answers depend on it. */
interface Checks {
  /** A bearer token is checked: always, or when one is sent. */
  auth?: "required" | "optional";
  maxBodyBytes?: number;
  ignoresIdempotencyKey?: boolean;
}

/**
 * The answers a route can give because of what its contract declares and what runs in front of it,
 * documented here once: 401 where a token is checked; 404 for a malformed or unknown id in the path;
 * 400 and 415 for a body the validator parses (JSON that does not parse or is not UTF-8; another media
 * type); 413 past a body limit; 422 for a query, a JSON body or an Idempotency-Key the schema may
 * refuse; 503 when the database does not answer, and, for writes, 409 when PostgreSQL rolls one back
 * for a concurrent one (concurrent-change). A route's own description of a status wins.
 */
function commonAnswers(contract: Contract, checks: Checks): ProblemStatus[] {
  const validated = contract.request?.query !== undefined || takesJson(contract) || honoursKey(contract, checks);
  return [
    ...(checks.auth ? [401 as const] : []),
    ...(contract.path.includes("{") ? [404 as const] : []),
    ...(takesJson(contract) ? [400 as const] : []),
    ...(parsesBody(contract) ? [415 as const] : []),
    ...(checks.maxBodyBytes !== undefined ? [413 as const] : []),
    ...(validated ? [422 as const] : []),
    ...(contract.method === "get" ? [] : [409 as const]),
    503 as const,
  ];
}

/**
 * The documented side of retrySafety: the optional header (merged into the contract's own header
 * object), the answers it adds, and `Idempotent-Replayed` on a replayed success. The handler's types do
 * not change: it never reads the header, and only an optional member is added.
 */
function withIdempotencyKey<R extends Contract>(contract: R, checks: Checks): R {
  if (!honoursKey(contract, checks)) return contract;
  const own = contract.request?.headers;
  if (own !== undefined && !(own instanceof z.ZodObject)) return contract;
  const replayable = Object.fromEntries(
    Object.entries(contract.responses).map(([status, response]) => [
      status,
      status.startsWith("2") ? withHeader(response, "Idempotent-Replayed", header("Idempotent-Replayed")) : response,
    ]),
  );
  return {
    ...contract,
    request: { ...contract.request, headers: own ? own.extend(IdempotencyKeyHeaders.shape) : IdempotencyKeyHeaders },
    responses: {
      409: problem(409, {
        description:
          "Conflict with the current state, a concurrent change (retry after Retry-After), or a request with " +
          "this Idempotency-Key still running (idempotency-in-progress, retry after Retry-After)",
      }),
      422: problem(422, {
        description: "Request did not match the schema, or the Idempotency-Key was used with another request",
      }),
      ...replayable,
    },
  } as R;
}

/**
 * Every answer a route documents: the common ones (commonAnswers), then the route's own, with a 201's
 * Location, which every create sends, and a problem described as plain `problemContent` given its
 * status's headers and example.
 */
function withAnswers<R extends Contract>(contract: R, checks: Checks): R["responses"] {
  const answers = { ...problems(...commonAnswers(contract, checks)), ...contract.responses };
  for (const [status, response] of Object.entries(answers)) {
    const code = Number(status);
    if (!("$ref" in response) && response.content === problemContent && isProblemStatus(code)) {
      answers[status] = problem(code, { description: response.description });
    }
  }
  const created = answers[201];
  if (created) answers[201] = withHeader(created, "Location", header("Location", { required: true }));
  return answers;
}

type RouteResponse = RouteConfig["responses"][string];

/**
 * A response with one more documented header; the response's own description of it wins. Headers are
 * description only: the response's type, which types the handler, stays what it was.
 */
const withHeader = <T extends RouteResponse>(response: T, name: HeaderName, value: HeaderObject): T =>
  "$ref" in response || response.headers instanceof z.ZodType
    ? response
    : ({ ...response, headers: { [name]: value, ...response.headers } } as T);

const ROLE_WORDS: Record<Role, string> = {
  viewer: "any member (viewer, editor or owner)",
  editor: "an editor or the owner",
  owner: "the owner",
};
const ROLE_NOUN: Record<Role, string> = { viewer: "a member", editor: "an editor", owner: "the owner" };

/** Who may, in words, from the permissions table's entry. */
function whoMay(rule: Permission): string {
  const whose = {
    note: `${ROLE_WORDS[rule.least]} of the note's notebook; for a loose note, its owner`,
    notebook: `${ROLE_WORDS[rule.least]} of the notebook`,
    notebookId: `anyone for a loose note; in a notebook (\`notebookId\`), ${ROLE_WORDS[rule.least]} of it`,
  }[rule.on];
  if (!rule.orSelf) return whose;
  const self = {
    author: `or the note's own author while ${ROLE_NOUN[rule.orSelf.least]} of its notebook`,
    member: "or the member themself, to leave",
  }[rule.orSelf.who];
  return `${whose}, ${self}`;
}

/** A route's permission: the table's action for the route, and the actions some body fields need besides. */
export interface RoutePermission {
  action: Action;
  /** Body fields that are actions of their own (`visibility`: note.publish), judged in the same statement. */
  fields?: Record<string, Action>;
}

/**
 * A permission, said in the operation's description and as `x-required-role` (the table's entry, read
 * by the role-matrix and permissions tests), with the 403 and 404 it implies. The rule itself is
 * checked in the route's SQL (permissions.ts), not here: roles are not cached.
 */
function withPermission<R extends Contract>(contract: R, permission: RoutePermission | undefined) {
  if (!permission) return contract;
  const rule: Permission = PERMISSIONS[permission.action];
  const fields = Object.entries(permission.fields ?? {});
  const fieldWords = fields.map(([field, action]) => `; \`${field}\` needs ${action}: ${whoMay(PERMISSIONS[action])}`);
  const sentence = `**Who may call it** (${permission.action}): ${whoMay(rule)}${fieldWords.join("")}. A weaker role answers 403 (\`urn:cloud-notes:problem:forbidden\`); anyone else gets the same 404 as for an id that does not exist.`;
  return {
    ...contract,
    description: contract.description ? `${contract.description}\n\n${sentence}` : sentence,
    responses: { ...problems(403, 404), ...contract.responses },
    "x-required-role": {
      action: permission.action,
      ...rule,
      ...(fields.length > 0
        ? { fields: Object.fromEntries(fields.map(([field, action]) => [field, { action, ...PERMISSIONS[action] }])) }
        : {}),
    },
  };
}

/**
 * A route only a signed-in user may call. What the OpenAPI document says (`security`, the answers) and
 * what runs (auth, then the database, after an optional body limit that refuses before parsing) are
 * declared in one place, so they cannot drift apart; zod-openapi runs route middleware before the
 * validators.
 */
export function signedInRoute<const R extends Contract>(
  contract: R,
  options: {
    /**
     * What an API token needs to call it (API_SCOPES), or "session": a password sign-in only. Required,
     * so no route is reachable by a token without saying so.
     */
    scope: RouteAccess;
    maxBodyBytes?: number;
    /** The permissions table's action the route performs (permissions.ts); a bare action or with field actions. */
    permission?: Action | RoutePermission;
    afterAuth?: MiddlewareHandler<AppEnv>[];
    ignoresIdempotencyKey?: boolean;
  },
) {
  const bodyLimit = options.maxBodyBytes === undefined ? [] : [limitBody(options.maxBodyBytes)];
  const middleware = [
    // Any signed-in write may change what the feed (and so webhooks) report.
    ...(contract.method === "get" ? [] : [nudgeWebhooks()]),
    ...bodyLimit,
    requireUser(options.scope),
    ...(options.afterAuth ?? []),
    ...bodyChecks(contract),
    database(),
    ...retrySafety(contract, options),
  ];
  const checks: Checks = { ...options, auth: "required" };
  const permission = typeof options.permission === "string" ? { action: options.permission } : options.permission;
  const described = withIdempotencyKey(withScope(withPermission(contract, permission), options.scope), checks);
  const scope = options.scope === "session" ? undefined : options.scope;
  return createRoute({
    ...described,
    responses: withAnswers(described, checks),
    security: signedIn(scope),
    middleware,
  });
}

/** A response's own description, when it has one (not a reference). */
const describedAs = (response: RouteResponse | undefined) =>
  response && !("$ref" in response) ? response.description : undefined;

/**
 * What an API token needs, said in the description and as `x-required-scope` (read by the scope
 * matrix test), with the 403 insufficient_scope it implies.
 */
function withScope<R extends Contract>(contract: R, scope: RouteAccess) {
  const sentence =
    scope === "session"
      ? "**API tokens** cannot call it: sign in with your password."
      : `**API tokens** need the \`${scope}\` scope.`;
  return {
    ...contract,
    description: contract.description ? `${contract.description}\n\n${sentence}` : sentence,
    // Keyed by its literal status (problems() answers an index signature), so a client's types keep
    // each route's own answers; after them, so every 403 documents the header insufficient_scope sends.
    responses: {
      ...contract.responses,
      403: problem(403, {
        description: [
          describedAs(contract.responses[403]),
          scope === "session"
            ? "any API token (insufficient_scope)"
            : `an API token without \`${scope}\` (insufficient_scope)`,
        ]
          .filter(Boolean)
          .join("; or "),
        headers: {
          "WWW-Authenticate": header("WWW-Authenticate", {
            description: 'With an API token: `Bearer error="insufficient_scope"`, and the `scope` it needs',
          }),
        },
      }),
    },
    "x-required-scope": scope,
  };
}

/**
 * A route anyone may call that reads or writes the database; `before` runs first (rate limits), then
 * the body limit. `signInOptional`: a bearer token may be sent (optionalUser()), which the document
 * says as security that includes "none", so generated clients and Swagger UI send it when they have one.
 */
export function openRoute<const R extends Contract>(
  contract: R,
  options: {
    before?: NonNullable<RouteConfig["middleware"]>[];
    maxBodyBytes?: number;
    signInOptional?: boolean;
    ignoresIdempotencyKey?: boolean;
  } = {},
) {
  const middleware = [
    ...(options.signInOptional ? [optionalUser()] : []),
    ...(options.before ?? []).flat(),
    ...(options.maxBodyBytes === undefined ? [] : [limitBody(options.maxBodyBytes)]),
    ...bodyChecks(contract),
    database(),
    ...retrySafety(contract, options),
  ];
  // What anyone may see, any API token may see too: no scope.
  const security = options.signInOptional ? { security: [{}, ...signedIn("any")] } : {};
  const checks: Checks = { ...options, auth: options.signInOptional ? "optional" : undefined };
  const described = withIdempotencyKey(contract, checks);
  return createRoute({ ...described, ...security, responses: withAnswers(described, checks), middleware });
}

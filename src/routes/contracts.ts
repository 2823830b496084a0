import { createRoute, type RouteConfig, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Role } from "../db/queries/access";
import { problemContent, problems } from "../lib/openapi";
import { signedIn } from "../lib/openapi-security";
import type { AppEnv } from "../lib/router";
import { optionalUser, requireUser } from "../middleware/auth";
import { limitBody } from "../middleware/body-limit";
import { database } from "../middleware/database";
import { IdempotencyKeyHeaders, idempotency } from "../middleware/idempotency";
import { requireUtf8Json } from "../middleware/utf8-json";

type Contract = Omit<RouteConfig, "security" | "middleware">;

/**
 * Every route that reaches the database can answer 503 when it does not answer, and one that writes 409
 * when PostgreSQL rolls it back for a concurrent one (concurrent-change): documented here, once.
 */
const withDatabase = <R extends Contract>(contract: R): R["responses"] => ({
  ...problems(503, ...(contract.method === "get" ? [] : [409])),
  ...contract.responses,
});

/** Routes that take JSON refuse bytes that are not UTF-8 before the validator decodes them. */
const bodyChecks = (contract: Contract) =>
  contract.request?.body?.content["application/json"] ? [requireUtf8Json()] : [];

/** Routes that parse their body (JSON, a form) have small ones; the others stream theirs (uploads). */
const parsesBody = (contract: Contract) =>
  ["application/json", "application/x-www-form-urlencoded"].some((type) => contract.request?.body?.content[type]);

const honoursKey = (contract: Contract, options: { ignoresIdempotencyKey?: boolean }) =>
  (contract.method === "post" || contract.method === "put") && !options.ignoresIdempotencyKey;

/**
 * Every POST and PUT honours `Idempotency-Key` (README "Safe retries"): after auth and the database,
 * so keys are the caller's and the claim has a connection. Nothing else: no key, no round trip.
 */
const retrySafety = (contract: Contract, options: { ignoresIdempotencyKey?: boolean }) =>
  honoursKey(contract, options) ? [idempotency({ fingerprintBody: parsesBody(contract) ? "bytes" : "length" })] : [];

/**
 * The documented side of retrySafety: the optional header (merged into the contract's own header
 * object) and the answers it adds. The route's own descriptions of 409 and 422 win. The handler's
 * types do not change: it never reads the header, and only an optional member is added.
 */
function withIdempotencyKey<R extends Contract>(contract: R, options: { ignoresIdempotencyKey?: boolean }): R {
  if (!honoursKey(contract, options)) return contract;
  const own = contract.request?.headers;
  if (own !== undefined && !(own instanceof z.ZodObject)) return contract;
  return {
    ...contract,
    request: { ...contract.request, headers: own ? own.extend(IdempotencyKeyHeaders.shape) : IdempotencyKeyHeaders },
    responses: {
      409: {
        description: "Conflict with the current state, or a request with this Idempotency-Key is still running",
        content: problemContent,
      },
      422: {
        description: "Request did not match the schema, or the Idempotency-Key was used with another request",
        content: problemContent,
      },
      ...contract.responses,
    },
  } as R;
}

/**
 * Where a route's role rule applies: a note (its notebook's roles, or a loose note's owner), a notebook,
 * or the notebook a body's `notebookId` names.
 */
export interface RoleRule {
  /** The weakest role that may call the route. */
  least: Role;
  on: "note" | "notebook" | "notebookId";
  /** Anyone besides, in words ("or the member themself"). */
  also?: string;
}

const ROLE_WORDS: Record<Role, string> = {
  viewer: "any member (viewer, editor or owner)",
  editor: "an editor or the owner",
  owner: "the owner",
};

/**
 * A role rule, said in the operation's description and as `x-required-role` (read by the role-matrix
 * test), with the 403 and 404 it implies. Checked in the route's SQL, not here: roles are not cached.
 */
function withRoleRule<R extends Contract>(contract: R, rule: RoleRule | undefined) {
  if (!rule) return contract;
  const whose = {
    note: `${ROLE_WORDS[rule.least]} of the note's notebook; for a loose note, its owner`,
    notebook: `${ROLE_WORDS[rule.least]} of the notebook`,
    notebookId: `anyone for a loose note; in a notebook (\`notebookId\`), ${ROLE_WORDS[rule.least]} of it`,
  }[rule.on];
  const sentence = `**Who may call it:** ${whose}${rule.also ? `, ${rule.also}` : ""}. A weaker role answers 403 (\`urn:cloud-notes:problem:forbidden\`); anyone else gets the same 404 as for an id that does not exist.`;
  return {
    ...contract,
    description: contract.description ? `${contract.description}\n\n${sentence}` : sentence,
    responses: { ...problems(403, 404), ...contract.responses },
    "x-required-role": { least: rule.least, on: rule.on },
  };
}

/**
 * A route only a signed-in user may call. What the OpenAPI document says (`security`) and what runs
 * (auth, then the database, after an optional body limit that refuses before parsing) are declared
 * in one place, so they cannot drift apart; zod-openapi runs route middleware before the validators.
 */
export function signedInRoute<const R extends Contract>(
  contract: R,
  options: {
    maxBodyBytes?: number;
    role?: RoleRule;
    afterAuth?: MiddlewareHandler<AppEnv>[];
    ignoresIdempotencyKey?: boolean;
  } = {},
) {
  const bodyLimit = options.maxBodyBytes === undefined ? [] : [limitBody(options.maxBodyBytes)];
  const middleware = [
    ...bodyLimit,
    requireUser(),
    ...(options.afterAuth ?? []),
    ...bodyChecks(contract),
    database(),
    ...retrySafety(contract, options),
  ];
  const described = withIdempotencyKey(withRoleRule(contract, options.role), options);
  return createRoute({ ...described, responses: withDatabase(described), security: signedIn, middleware });
}

/**
 * A route anyone may call that reads or writes the database; `before` runs first (rate limits, body
 * limits). `signInOptional`: a bearer token may be sent (optionalUser()), which the document says as
 * security that includes "none", so generated clients and Swagger UI send it when they have one.
 */
export function openRoute<const R extends Contract>(
  contract: R,
  options: {
    before?: NonNullable<RouteConfig["middleware"]>[];
    signInOptional?: boolean;
    ignoresIdempotencyKey?: boolean;
  } = {},
) {
  const middleware = [
    ...(options.signInOptional ? [optionalUser()] : []),
    ...(options.before ?? []).flat(),
    ...bodyChecks(contract),
    database(),
    ...retrySafety(contract, options),
  ];
  const security = options.signInOptional ? { security: [{}, ...signedIn] } : {};
  const described = withIdempotencyKey(contract, options);
  return createRoute({ ...described, ...security, responses: withDatabase(described), middleware });
}

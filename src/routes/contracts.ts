import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { problems } from "../lib/openapi";
import { signedIn } from "../lib/openapi-security";
import { requireUser } from "../middleware/auth";
import { limitBody } from "../middleware/body-limit";
import { database } from "../middleware/database";
import { requireUtf8Json } from "../middleware/utf8-json";

type Contract = Omit<RouteConfig, "security" | "middleware">;

/** Every route that reaches the database can answer 503 when it does not answer: documented here, once. */
const withDatabase = <R extends Contract>(contract: R): R["responses"] => ({ ...problems(503), ...contract.responses });

/** Routes that take JSON refuse bytes that are not UTF-8 before the validator decodes them. */
const bodyChecks = (contract: Contract) =>
  contract.request?.body?.content["application/json"] ? [requireUtf8Json()] : [];

/**
 * A route only a signed-in user may call. What the OpenAPI document says (`security`) and what runs
 * (auth, then the database, after an optional body limit that refuses before parsing) are declared
 * in one place, so they cannot drift apart; zod-openapi runs route middleware before the validators.
 */
export function signedInRoute<const R extends Contract>(contract: R, options: { maxBodyBytes?: number } = {}) {
  const bodyLimit = options.maxBodyBytes === undefined ? [] : [limitBody(options.maxBodyBytes)];
  const middleware = [...bodyLimit, requireUser(), ...bodyChecks(contract), database()];
  return createRoute({ ...contract, responses: withDatabase(contract), security: signedIn, middleware });
}

/** A route anyone may call that reads or writes the database; `before` runs first (rate limits, body limits). */
export function openRoute<const R extends Contract>(
  contract: R,
  options: { before?: NonNullable<RouteConfig["middleware"]>[] } = {},
) {
  const middleware = [...(options.before ?? []).flat(), ...bodyChecks(contract), database()];
  return createRoute({ ...contract, responses: withDatabase(contract), middleware });
}

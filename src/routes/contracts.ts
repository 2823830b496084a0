import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { signedIn } from "../lib/openapi-security";
import { requireUser } from "../middleware/auth";
import { limitBody } from "../middleware/body-limit";
import { database } from "../middleware/database";

type Contract = Omit<RouteConfig, "security" | "middleware">;

/**
 * A route only a signed-in user may call. What the OpenAPI document says (`security`) and what runs
 * (auth, then the database, after an optional body limit that refuses before parsing) are declared
 * in one place, so they cannot drift apart; zod-openapi runs route middleware before the validators.
 */
export function signedInRoute<const R extends Contract>(contract: R, options: { maxBodyBytes?: number } = {}) {
  const bodyLimit = options.maxBodyBytes === undefined ? [] : [limitBody(options.maxBodyBytes)];
  return createRoute({ ...contract, security: signedIn, middleware: [...bodyLimit, requireUser(), database()] });
}

/** A route anyone may call that reads or writes the database; `before` runs first (rate limits, body limits). */
export function openRoute<const R extends Contract>(
  contract: R,
  options: { before?: NonNullable<RouteConfig["middleware"]>[] } = {},
) {
  return createRoute({ ...contract, middleware: [...(options.before ?? []).flat(), database()] });
}

import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable, isTransactionConflict, sqlState } from "../db/unavailable";
import { ConfigError } from "../env";
import { statusTitle } from "../lib/http-status";
import { requestLogger } from "../lib/log";
import { concurrentChange, dependencyUnavailable, notFound, Problem, renderProblem } from "../lib/problem";
import { routeOf } from "../lib/route-of";
import type { AppEnv } from "../lib/router";

/** Every error leaves as application/problem+json; anything unexpected is logged and told apart by request id only. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof Problem) return renderProblem(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own 4xx: malformed JSON from the validator, body limits and the like.
    const status = error.status as ContentfulStatusCode;
    return renderProblem(c, new Problem(status, { detail: error.message || statusTitle(status) }));
  }
  const log = requestLogger(c);
  if (isDatabaseUnavailable(error)) {
    log.error("database unavailable", error, { method: c.req.method, route: routeOf(c) });
    return renderProblem(c, dependencyUnavailable());
  }
  if (isTransactionConflict(error)) {
    // Expected now and then (say, an upload confirming while its payer's account is deleted), not a bug.
    log.info("transaction conflict", { code: sqlState(error), method: c.req.method, route: routeOf(c) });
    return renderProblem(c, concurrentChange());
  }
  if (error instanceof ConfigError) {
    log.error("configuration error", error);
    return renderProblem(c, new Problem(500, { detail: error.message }));
  }
  log.error("unhandled error", error, { method: c.req.method, route: routeOf(c) });
  const detail = `An unexpected error occurred; quote request id ${c.var.requestId}.`;
  return renderProblem(c, new Problem(500, { detail }));
};

export const onNotFound: NotFoundHandler<AppEnv> = (c) => renderProblem(c, notFound("No resource lives at this path."));

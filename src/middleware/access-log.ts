import type { MiddlewareHandler } from "hono";
import { logInfo } from "../lib/log";
import { routeOf } from "../lib/route-of";
import type { AppEnv } from "../lib/router";

/**
 * One line per request: method, route pattern (never the path or query string, which may carry a share
 * link's token or a cursor), status, duration.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = Date.now();
    await next();
    logInfo("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      route: routeOf(c),
      status: c.res.status,
      ms: Date.now() - started,
    });
  };
}

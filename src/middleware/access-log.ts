import type { MiddlewareHandler } from "hono";
import { type Level, requestLogger } from "../lib/log";
import { routeOf } from "../lib/route-of";
import type { AppEnv } from "../lib/router";

/**
 * One line per request: method, route pattern (never the path or query string, which may carry a share
 * link's token or a cursor), status, duration; at error level for a 5xx, warn for a 4xx.
 */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = Date.now();
    await next();
    const status = c.res.status;
    requestLogger(c).line(levelOf(status), "request", {
      method: c.req.method,
      route: routeOf(c),
      status,
      ms: Date.now() - started,
    });
  };
}

function levelOf(status: number): Level {
  if (status >= 500) return "error";
  return status >= 400 ? "warn" : "info";
}

import type { MiddlewareHandler } from "hono";
import { logInfo } from "../lib/log";
import type { AppEnv } from "../lib/router";

/** One line per request: method, path (no query string, which may carry cursors), status, duration. */
export function accessLog(): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = Date.now();
    await next();
    logInfo("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
    });
  };
}

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { allowedOrigins } from "../env";
import type { AppEnv } from "../lib/router";

const EXPOSED = ["ETag", "Location", "Retry-After", "X-Request-Id", "WWW-Authenticate", "Idempotent-Replayed"];
const ALLOWED = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id", "Idempotency-Key"];

/** CORS as CORS_ORIGINS says: "*" or a comma-separated list of exact origins. */
export function corsFromConfig(): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin, c) => {
      const allowed = allowedOrigins(c.env);
      if (allowed.includes("*")) return "*";
      return allowed.includes(origin) ? origin : null;
    },
    allowHeaders: ALLOWED,
    exposeHeaders: EXPOSED,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    maxAge: 600,
  });
}

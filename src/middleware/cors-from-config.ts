import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { allowedOrigins } from "../env";
import type { AppEnv } from "../lib/router";

// Every header the OpenAPI document names, so a browser client on another origin can send and read
// what a generated one can (test/cors.test.ts checks the lists against the document).
const EXPOSED = [
  ...["ETag", "Location", "Retry-After", "X-Request-Id", "WWW-Authenticate", "Idempotent-Replayed"],
  ...["Accept-Ranges", "Content-Disposition", "Content-Range", "Content-Security-Policy", "Referrer-Policy"],
  ...["Vary", "X-Robots-Tag"],
];
const ALLOWED = [
  ...["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-Id", "Idempotency-Key"],
  ...["Range", "If-Range"],
];

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

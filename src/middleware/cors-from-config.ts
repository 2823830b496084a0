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

/**
 * CORS as CORS_ORIGINS says: "*" or a comma-separated list of exact origins. Preflights are Hono's
 * cors(). Other answers get their headers once the handler has answered, set on its response: Hono's
 * cors() sets them on an empty response beforehand, which made every answer be copied into a new
 * Response twice, a cost each request paid.
 */
export function corsFromConfig(): MiddlewareHandler<AppEnv> {
  const allowedOrigin = (origin: string, env: AppEnv["Bindings"]) => {
    const allowed = allowedOrigins(env);
    if (allowed.includes("*")) return "*";
    return allowed.includes(origin) ? origin : null;
  };
  const preflight = cors({
    origin: (origin, c) => allowedOrigin(origin, c.env),
    allowHeaders: ALLOWED,
    exposeHeaders: EXPOSED,
    allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
    maxAge: 600,
  });
  const exposed = EXPOSED.join(",");
  return async function corsFromConfig(c, next) {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    await next();
    const headers = c.res.headers;
    const origin = allowedOrigin(c.req.header("Origin") ?? "", c.env);
    if (origin) headers.set("Access-Control-Allow-Origin", origin);
    headers.set("Access-Control-Expose-Headers", exposed);
    // Which origin is allowed depends on the request's, so caches keep one copy per origin.
    headers.append("Vary", "Origin");
  };
}

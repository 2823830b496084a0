import type { MiddlewareHandler } from "hono";
import { badRequest } from "../lib/problem";
import type { AppEnv } from "../lib/router";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * JSON travels as UTF-8 (RFC 8259 8.1). Bytes that are not UTF-8 make a malformed body (400), the same
 * as broken JSON, instead of text quietly mended with U+FFFD. Reads the body once; Hono caches it for
 * the JSON validator that follows.
 */
export function requireUtf8Json(): MiddlewareHandler<AppEnv> {
  return async function requireUtf8Json(c, next) {
    if (/^application\/(.+\+)?json\b/i.test(c.req.header("Content-Type") ?? "")) {
      try {
        strictUtf8.decode(await c.req.arrayBuffer());
      } catch {
        throw badRequest("The request body is not valid UTF-8.");
      }
    }
    await next();
  };
}

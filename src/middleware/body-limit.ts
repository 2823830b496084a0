import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { Problem, problemType } from "../lib/problem";
import type { AppEnv } from "../lib/router";

/** Account and session bodies: an email, a password, a name. */
export const SMALL_BODY_BYTES = 64 * 1024;

/** Refuses a request body over `maxBytes` before it is parsed: from Content-Length, or while it streams in. */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem(413, {
        type: problemType("body-too-large"),
        detail: `The request body exceeds ${maxBytes} bytes.`,
      });
    },
  });
}

import type { Context } from "hono";
import { routePath } from "hono/route";

/** Paths whose segments are secrets: a share link's token. */
const SECRET_SEGMENT = /^(\/v1\/shared\/)[^/]+/;

/** The path as a problem's `instance` shows it: a share link's token replaced, as anywhere it might travel on. */
export const shownPath = (path: string) => path.replace(SECRET_SEGMENT, "$1{token}");

/**
 * The route pattern that answered a request (`/v1/shared/:token`), for logs: never the path itself,
 * which can carry a secret (a share link's token). A path no route matched logs as "(none)".
 */
export function routeOf(c: Context): string {
  const pattern = routePath(c, -1);
  return pattern.endsWith("*") ? "(none)" : pattern;
}

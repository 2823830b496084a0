import type { Context } from "hono";
import { routePath } from "hono/route";

/**
 * The route pattern that answered a request (`/v1/shared/:token`), for logs: never the path itself,
 * which can carry a secret (a share link's token). A path no route matched logs as "(none)".
 */
export function routeOf(c: Context): string {
  const pattern = routePath(c, -1);
  return pattern.endsWith("*") ? "(none)" : pattern;
}

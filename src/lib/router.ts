import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { notFound, validationFailed } from "./problem";

/** A router whose zod validation failures become 422 problems listing every failing field. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      // A malformed id names no resource: the same 404 as a missing one.
      if (result.target === "param") throw notFound();
      const where = result.target === "json" || result.target === "form" ? "body" : result.target;
      throw validationFailed(
        result.error.issues.map((issue) => ({
          path: [where, ...issue.path].join("."),
          message: issue.message,
        })),
      );
    },
  });
}

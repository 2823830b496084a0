import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../db/client";
import type { Caller, SignedInCaller } from "../db/queries/caller";
import type { Bindings, Config } from "../env";
import { notFound, validationFailed } from "./problem";

/** Hono's type parameter for every router: the bindings and what middleware puts on the context. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    db: Database;
    /** Set by requireUser(): who is asking, on a route only a signed-in caller may call. */
    caller: SignedInCaller;
    /** Set by optionalUser(): who is asking, signed in or anonymous, on a route anyone may call with a token. */
    viewer?: Caller;
  };
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

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

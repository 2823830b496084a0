import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Database } from "../db/client";
import type { Caller, SignedInCaller } from "../db/queries/caller";
import type { Bindings, Config } from "../env";
import { type FailureHook, parameterValidation } from "./parameter-validation";
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

/** What a failed zod check says, as zod-openapi's hooks and parameterValidation report it. */
interface ValidationFailure {
  target: string;
  error: { issues: { path: PropertyKey[]; message: string }[] };
}

function refuse(failure: ValidationFailure): never {
  // A malformed id names no resource: the same 404 as a missing one.
  if (failure.target === "param") throw notFound();
  const where = failure.target === "json" || failure.target === "form" ? "body" : failure.target;
  throw validationFailed(
    failure.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join("."),
      message: issue.message,
    })),
  );
}

/**
 * A router whose zod validation failures become 422 problems listing every failing field. Each route is
 * documented as declared; its path, query and header parameters are checked by parameterValidation
 * after the route's middleware, its body by zod-openapi.
 */
export function createRouter() {
  const router = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) refuse(result);
    },
  });
  const declare = router.openapi;
  router.openapi = ((route, handler, hook) => {
    const { middleware, hide, ...documented } = route;
    if (!hide) router.openAPIRegistry.registerPath(documented);
    const { query: _, params: __, headers: ___, ...body } = route.request ?? {};
    const parameters = parameterValidation(route.request ?? {}, (hook ?? refuse) as FailureHook);
    const before = middleware === undefined ? [] : [middleware].flat();
    return declare(
      { ...route, hide: true, request: body, middleware: parameters ? [...before, parameters] : before },
      handler,
      hook,
    );
  }) as typeof router.openapi;
  return router;
}

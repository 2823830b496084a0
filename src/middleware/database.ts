import type { MiddlewareHandler } from "hono";
import { createDatabase } from "../db/client";
import { configFrom } from "../env";
import type { AppEnv } from "../lib/router";

/** Validates the settings and gives the request its database handle (no I/O until a query runs). */
export function database(): MiddlewareHandler<AppEnv> {
  return async function database(c, next) {
    const config = configFrom(c.env);
    c.set("config", config);
    c.set("db", createDatabase(config));
    await next();
  };
}

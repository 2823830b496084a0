import { sql } from "drizzle-orm";
import { version } from "../../../package.json";
import { logError } from "../../lib/log";
import { dependencyUnavailable } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import type { liveness, readiness } from "./health.routes";

export const checkReadiness: AppRouteHandler<typeof readiness> = async (c) => {
  try {
    // Bounded like every database call (DATABASE_TIMEOUT_MS); any failure, credentials included, is "not ready".
    await c.var.db.execute(sql`select 1`);
  } catch (error) {
    logError("health: database unreachable", error, { requestId: c.var.requestId });
    throw dependencyUnavailable({ database: "unreachable", version });
  }
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, database: "ok" as const, version }, 200);
};

export const checkLiveness: AppRouteHandler<typeof liveness> = (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, version }, 200);
};

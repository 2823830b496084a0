import { sql } from "drizzle-orm";
import { runningVersion } from "../../lib/deployed-version";
import { requestLogger } from "../../lib/log";
import { dependencyUnavailable } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/router";
import type { liveness, readiness } from "./health.routes";

export const checkReadiness: AppRouteHandler<typeof readiness> = async (c) => {
  const running = runningVersion(c.env);
  try {
    // Bounded like every database call (DATABASE_TIMEOUT_MS); any failure, credentials included, is "not ready".
    await c.var.db.execute(sql`select 1`);
  } catch (error) {
    requestLogger(c).error("health: database unreachable", error);
    throw dependencyUnavailable({ database: "unreachable", ...running });
  }
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, database: "ok" as const, ...running }, 200);
};

export const checkLiveness: AppRouteHandler<typeof liveness> = (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, ...runningVersion(c.env) }, 200);
};

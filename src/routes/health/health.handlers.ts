import { sql } from "drizzle-orm";
import { version } from "../../../package.json";
import { logError } from "../../lib/log";
import { Problem, problemType } from "../../lib/problem";
import type { AppRouteHandler } from "../../lib/route-handler";
import type { liveness, readiness } from "./health.routes";

// A load balancer waits a few seconds at most; an answer after that is as good as none.
const DATABASE_TIMEOUT_MS = 3_000;

export const checkReadiness: AppRouteHandler<typeof readiness> = async (c) => {
  try {
    await withTimeout(c.var.db.execute(sql`select 1`), DATABASE_TIMEOUT_MS);
  } catch (error) {
    logError("health: database unreachable", error, { requestId: c.var.requestId });
    throw new Problem(503, {
      type: problemType("dependency-unavailable"),
      detail: "The database did not answer.",
      headers: { "Retry-After": "5", "Cache-Control": "no-store" },
      extensions: { database: "unreachable", version },
    });
  }
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, database: "ok" as const, version }, 200);
};

export const checkLiveness: AppRouteHandler<typeof liveness> = (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, version }, 200);
};

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

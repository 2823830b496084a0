import { createRoute, z } from "@hono/zod-openapi";
import { problemContent } from "../../lib/openapi";
import { openRoute } from "../contracts";

const DeploymentSchema = z
  .object({
    id: z.string().openapi({ description: "The Worker version's id, as `wrangler versions list` names it" }),
    tag: z.string().nullable().openapi({ description: "The tag given at upload (`--tag`), null without one" }),
    timestamp: z.iso.datetime().openapi({ description: "When the version was uploaded" }),
  })
  .openapi("Deployment", { description: "The Worker version Cloudflare runs; null when the worker cannot tell" });

const RunningVersion = {
  version: z.string().openapi({ description: "The release (package.json's version)", example: "0.1.0" }),
  deployment: DeploymentSchema.nullable(),
};

const HealthSchema = z
  .object({ status: z.literal("ok"), database: z.literal("ok"), ...RunningVersion })
  .openapi("Health");

export const readiness = openRoute({
  operationId: "readiness",
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Readiness: the API and its database answer",
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "The database is unreachable; the problem carries `database`, `version` and `deployment` too",
      content: problemContent,
    },
  },
});

export const liveness = createRoute({
  operationId: "liveness",
  method: "get",
  path: "/health/live",
  tags: ["Operations"],
  summary: "Liveness: the worker runs (touches no dependency)",
  responses: {
    200: {
      description: "Alive",
      content: { "application/json": { schema: z.object({ status: z.literal("ok"), ...RunningVersion }) } },
    },
  },
});

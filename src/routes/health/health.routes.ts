import { createRoute, z } from "@hono/zod-openapi";
import { problemContent } from "../../lib/openapi";
import { openRoute } from "../contracts";

const HealthSchema = z
  .object({
    status: z.literal("ok"),
    database: z.literal("ok"),
    version: z.string().openapi({ example: "0.1.0" }),
  })
  .openapi("Health");

export const readiness = openRoute({
  method: "get",
  path: "/health",
  tags: ["Operations"],
  summary: "Readiness: the API and its database answer",
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "The database is unreachable; the problem carries `database` and `version` too",
      content: problemContent,
    },
  },
});

export const liveness = createRoute({
  method: "get",
  path: "/health/live",
  tags: ["Operations"],
  summary: "Liveness: the worker runs (touches no dependency)",
  responses: {
    200: {
      description: "Alive",
      content: { "application/json": { schema: z.object({ status: z.literal("ok"), version: z.string() }) } },
    },
  },
});

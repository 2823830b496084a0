import { z } from "@hono/zod-openapi";

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "about:blank" }),
    title: z.string().openapi({ example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string(),
    instance: z.string().openapi({ example: "/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11" }),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem", { description: "RFC 9457 problem details" });

export const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** The problem responses a route can give, by status, for its OpenAPI description. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: PROBLEM_DESCRIPTIONS[status] ?? "Error", content: problemContent },
    ]),
  );
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: "Malformed request",
  401: "Missing or invalid bearer token",
  403: "Your role on the notebook is too weak for this (urn:cloud-notes:problem:forbidden)",
  404: "No such resource (or not yours)",
  409: "Conflict with the current state",
  412: "If-Match did not match the current version",
  413: "Request body too large",
  422: "Request did not match the schema",
  429: "Rate limited; see Retry-After",
  503: "The database (or, for uploads, the file store) is unreachable or too slow; retry after Retry-After seconds",
};

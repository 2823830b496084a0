import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { requestId } from "hono/request-id";
import { describe, expect, it } from "vitest";
import { createRouter } from "../src/lib/router";
import { onError } from "../src/middleware/error-handler";
import { api, testDatabase } from "./support/api";
import { captureLogs } from "./support/logs";
import { expectProblem } from "./support/problem";

describe("errors from the real app", () => {
  const logs = captureLogs();
  it("answers 404 problem+json for an unknown path", async () => {
    await expectProblem(await api("/no/such/thing"), 404);
  });

  it("answers 405 with Allow for a known path and the wrong method", async () => {
    const response = await api("/health", { method: "DELETE" });
    await expectProblem(response, 405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it("echoes a sane X-Request-Id and replaces one that is not", async () => {
    const given = await api("/health/live", { headers: { "X-Request-Id": "trace-123" } });
    expect(given.headers.get("x-request-id")).toBe("trace-123");
    const hostile = await api("/health/live", { headers: { "X-Request-Id": "a b\u0001<script>" } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends the secure default headers and CORS", async () => {
    const response = await api("/health/live", { headers: { Origin: "https://app.example" } });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("strict-transport-security")).toContain("max-age=");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
  });

  it("limits CORS to the configured origins", async () => {
    const headers = { Origin: "https://evil.example" };
    const response = await api("/health/live", { headers }, { CORS_ORIGINS: "https://app.example" });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("logs the route pattern, never the path, which may carry a secret such as a share link's token", async () => {
    const secret = crypto.randomUUID();
    await api(`/v1/notes/${secret}`);
    await api(`/no/such/${secret}`);
    const requests = logs.lines.filter((line) => line.message === "request");
    expect(requests.map((line) => line.route)).toEqual(["/v1/notes/:id", "(none)"]);
    expect(JSON.stringify(logs.lines)).not.toContain(secret);
  });

  it("answers 500 problem+json naming the setting when the worker is misconfigured", async () => {
    const response = await api("/health", {}, { DATABASE_URL: "" });
    const body = await expectProblem(response, 500);
    expect(body.detail).toContain("DATABASE_URL");
    expect(logs.errors("configuration error")).toHaveLength(1);
  });
});

describe("errors from route validation", () => {
  const logs = captureLogs();
  const echo = createRoute({
    method: "post",
    path: "/echo/{id}",
    request: {
      params: z.object({ id: z.uuid() }),
      body: {
        content: { "application/json": { schema: z.strictObject({ name: z.string().min(1) }) } },
        required: true,
      },
    },
    responses: { 200: { description: "echo" } },
  });
  const app = createRouter();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app
    .openapi(echo, (c) => c.json(c.req.valid("json")))
    .get("/boom", () => {
      throw new Error("secret internals");
    })
    .get("/conflict/:code", async (c) => {
      // A real PostgreSQL error with that SQLSTATE, through the app's own driver and its wrapping.
      await testDatabase().execute(
        sql.raw(`do $$ begin raise exception 'rolled back' using errcode = '${c.req.param("code")}'; end $$`),
      );
      return c.body(null, 204);
    });
  app.onError(onError);
  const send = (path: string, body: string) =>
    app.request(path, { method: "POST", body, headers: { "Content-Type": "application/json" } });
  const id = "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11";

  it("answers 400 for malformed JSON", async () => {
    await expectProblem(await send(`/echo/${id}`, "{not json"), 400);
  });

  it("answers 422 listing each failing field", async () => {
    const body = await expectProblem(await send(`/echo/${id}`, JSON.stringify({ name: "", extra: 1 })), 422);
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { path: "body.name", message: expect.any(String) },
        { path: "body", message: expect.stringContaining("extra") },
      ]),
    );
  });

  it.each(["40P01", "40001"])(
    "answers 409 concurrent-change, Retry-After 1, when PostgreSQL rolls back (%s)",
    async (code) => {
      const response = await app.request(`/conflict/${code}`);
      const body = await expectProblem(response, 409);
      expect(body.type).toBe("urn:cloud-notes:problem:concurrent-change");
      expect(response.headers.get("retry-after")).toBe("1");
      expect(logs.lines.filter((line) => line.level === "error")).toEqual([]);
    },
  );

  it("answers 500 without leaking the error", async () => {
    const body = await expectProblem(await app.request("/boom"), 500);
    expect(JSON.stringify(body)).not.toContain("secret internals");
    const [logged] = logs.errors("unhandled error");
    expect(logged).toMatchObject({ requestId: body.requestId, route: "/boom" });
    expect(JSON.stringify(logged)).not.toContain("secret internals");
  });
});

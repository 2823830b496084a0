import { describe, expect, it } from "vitest";
import { api } from "./support/api";

describe("API description", () => {
  it("serves an OpenAPI 3.1 document generated from the routes", async () => {
    const response = await api("/openapi.json");
    expect(response.status).toBe(200);
    const document = await response.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(document.openapi).toBe("3.1.0");
    expect(document.info.title).toBe("Cloud Notes API");
    expect(document.paths["/health"]?.get?.responses).toHaveProperty("503");
    expect(document.components.schemas).toHaveProperty("Problem");
    // Every operation documents its answers.
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(Object.keys(operation.responses ?? {}), `${method.toUpperCase()} ${path}`).not.toHaveLength(0);
        // Every resource route reaches the database, so every one can answer 503 (database unavailable).
        if (path.startsWith("/v1/"))
          expect(operation.responses, `${method.toUpperCase()} ${path}`).toHaveProperty("503");
      }
    }
  });

  it("serves Swagger UI at /docs pointing at the document", async () => {
    const response = await api("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("SwaggerUIBundle");
    expect(html).toContain("/openapi.json");
  });
});

import { describe, expect, it } from "vitest";
import { api } from "./support/api";
import { expectProblem } from "./support/problem";

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
});

/** A page's Content-Security-Policy, directive by directive. */
function policyOf(response: Response): Record<string, string[]> {
  const header = response.headers.get("content-security-policy") ?? "";
  return Object.fromEntries(
    header.split(";").map((directive) => {
      const [name = "", ...sources] = directive.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

/** What a page loads: every <script> and stylesheet, and the settings its initialiser reads. */
function partsOf(html: string) {
  const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)].map(([, attributes = "", text = ""]) => ({
    src: /src="([^"]+)"/.exec(attributes)?.[1],
    type: /type="([^"]+)"/.exec(attributes)?.[1],
    nonce: /nonce="([^"]+)"/.exec(attributes)?.[1],
    text,
  }));
  const stylesheets = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map(([, href = ""]) => href);
  const settings = scripts.find((script) => script.type === "application/json")?.text;
  return { scripts, stylesheets, settings: JSON.parse(settings ?? "null") };
}

/**
 * The policy runs scripts by this request's nonce only (no 'self': another file of this origin, an
 * attachment say, is never run), every script the page names carries it, and the next request gets
 * another.
 */
async function expectScriptsByNonce(path: string) {
  const [first, second] = [await api(path), await api(path)];
  const scriptSources = policyOf(first)["script-src"] ?? [];
  expect(scriptSources).toHaveLength(1);
  const nonce = /^'nonce-([\w+/=]+)'$/.exec(scriptSources[0] ?? "")?.[1];
  expect(nonce, String(scriptSources)).toBeDefined();
  const page = partsOf(await first.text());
  const sourced = page.scripts.filter((script) => script.src);
  expect(sourced.length).toBeGreaterThan(0);
  for (const script of sourced) expect(script.nonce, script.src).toBe(nonce);
  expect(policyOf(second)["script-src"]).not.toEqual(scriptSources);
}

/** Every file a page names answers from the worker's own assets (never a CDN), with its type. */
async function expectServedHere(urls: (string | undefined)[]) {
  for (const url of urls) {
    expect(url, "an origin-relative path").toMatch(/^\/docs\/assets\/[\w./-]+$/);
    const response = await api(url ?? "");
    expect(response.status, url).toBe(200);
    expect(response.headers.get("content-type"), url).toMatch(url?.endsWith(".css") ? /^text\/css/ : /javascript/);
    expect((await response.arrayBuffer()).byteLength, url).toBeGreaterThan(0);
  }
}

describe("API docs", () => {
  it("serves Swagger UI at /docs from its own assets, under a policy that runs the page's own scripts only", async () => {
    const response = await api("/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const policy = policyOf(response);
    expect(policy).toMatchObject({
      "default-src": ["'none'"],
      "style-src": ["'self'"],
      "connect-src": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
    expect(response.headers.get("content-security-policy")).not.toContain("unsafe");
    const page = partsOf(await response.text());
    // No inline script: the one <script> without src is a JSON block, which the browser never runs.
    expect(page.scripts.filter((script) => !script.src).map((script) => script.type)).toEqual(["application/json"]);
    expect(page.settings).toEqual({ url: "/openapi.json", persistAuthorization: true });
    await expectServedHere([...page.scripts.map((script) => script.src).filter(Boolean), ...page.stylesheets]);
    expect(page.scripts.map((script) => script.src)).toContain("/docs/assets/swagger-ui-dist/swagger-ui-bundle.js");
    await expectScriptsByNonce("/docs");
  });

  it("serves ReDoc at /redoc, its inserted styles let in by a nonce fresh for each request", async () => {
    const [first, second] = [await api("/redoc"), await api("/redoc")];
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/html/);
    const policy = policyOf(first);
    expect(policy).toMatchObject({ "default-src": ["'none'"], "connect-src": ["'self'"] });
    expect(first.headers.get("content-security-policy")).not.toContain("unsafe");
    const page = partsOf(await first.text());
    expect(page.settings).toEqual({ specUrl: "/openapi.json", options: { nonce: expect.any(String) } });
    expect(policy["style-src"]).toContain(`'nonce-${page.settings.options.nonce}'`);
    expect(partsOf(await second.text()).settings.options.nonce).not.toBe(page.settings.options.nonce);
    expect(page.scripts.filter((script) => !script.src).map((script) => script.type)).toEqual(["application/json"]);
    await expectServedHere([...page.scripts.map((script) => script.src).filter(Boolean), ...page.stylesheets]);
    expect(page.scripts.map((script) => script.src)).toContain("/docs/assets/redoc/redoc.standalone.js");
    await expectScriptsByNonce("/redoc");
  });

  it("answers a path under /docs/assets/ that holds no file with the API's 404 problem", async () => {
    for (const path of ["/docs/assets/missing.js", "/docs/assets/", "/docs/assets/swagger-ui-dist"]) {
      const body = await expectProblem(await api(path), 404);
      expect(body.instance).toBe(path);
    }
  });
});

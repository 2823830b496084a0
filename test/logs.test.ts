import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { version } from "../package.json";
import { api } from "./support/api";
import { captureLogs } from "./support/logs";

const RAY_ID = "8f1e2d3c4b5a6978-LHR";

describe("log lines", () => {
  const logs = captureLogs();

  it("are objects, one per request, at a level and through a console method set by the status", async () => {
    await api("/health/live"); // 200
    await api("/no/such/thing"); // 404
    await api("/health", {}, { DATABASE_URL: "" }); // 500: the worker misconfigured on purpose
    const requests = logs.written.filter(({ line }) => line.message === "request");
    expect(requests.map(({ method, line }) => [line.status, line.level, method])).toEqual([
      [200, "info", "log"],
      [404, "warn", "warn"],
      [500, "error", "error"],
    ]);
    // Every write was an object Workers Logs can index: none a string, JSON or otherwise.
    expect(logs.text).toHaveLength(logs.written.length);
  });

  it("carry the request id, the release and the deployed version's id", async () => {
    const response = await api("/health/live");
    expect(logs.requests()).toEqual([
      {
        level: "info",
        message: "request",
        method: "GET",
        route: "/health/live",
        status: 200,
        ms: expect.any(Number),
        requestId: response.headers.get("x-request-id"),
        version,
        versionId: env.CF_VERSION_METADATA.id,
      },
    ]);
  });

  it("carry Cloudflare's Ray ID when the edge sent one, and nothing a client made up", async () => {
    await api("/health/live", { headers: { "cf-ray": RAY_ID } });
    await api("/health/live", { headers: { "cf-ray": "not a ray id <script>" } });
    const [viaEdge, madeUp] = logs.requests();
    expect(viaEdge).toMatchObject({ rayId: RAY_ID });
    expect(madeUp).not.toHaveProperty("rayId");
  });

  it("tie a request's error line to its access line", async () => {
    const response = await api("/health", { headers: { "cf-ray": RAY_ID } }, { DATABASE_URL: "" });
    const ids = { requestId: response.headers.get("x-request-id"), rayId: RAY_ID, version };
    expect(logs.errors("configuration error")).toEqual([expect.objectContaining(ids)]);
    expect(logs.requests()).toEqual([expect.objectContaining({ ...ids, status: 500, level: "error" })]);
  });

  it("never carry the query string", async () => {
    const secret = crypto.randomUUID();
    await api(`/v1/public/notes?q=${secret}`);
    expect(logs.requests()).toEqual([expect.objectContaining({ route: "/v1/public/notes", status: 200 })]);
    expect(logs.text.join("\n")).not.toContain(secret);
  });
});

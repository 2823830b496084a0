import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { version } from "../package.json";
import { api } from "./support/api";
import { fileDatabaseUrl } from "./support/file-database";
import { captureLogs } from "./support/logs";

// The version metadata binding as wrangler's local runtime fills it: a random id per start, no tag.
const deployment = {
  id: env.CF_VERSION_METADATA.id,
  tag: null,
  timestamp: env.CF_VERSION_METADATA.timestamp,
};

describe("GET /health", () => {
  const logs = captureLogs();
  it("answers ok when the database answers, with the release and the deployed Worker version", async () => {
    const response = await api("/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: "ok", database: "ok", version, deployment });
    expect(deployment.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(deployment.timestamp).toISOString()).toBe(deployment.timestamp);
  });

  it("answers 503 problem+json when the database is unreachable", async () => {
    // Port 1 on loopback: nothing listens there, as when the server is stopped.
    const response = await api("/health", {}, { DATABASE_URL: "postgres://postgres:postgres@127.0.0.1:1/cloud_notes" });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    const body = await response.json<{ requestId: string }>();
    expect(body).toMatchObject({ status: 503, database: "unreachable", version, deployment, instance: "/health" });
    const [logged] = logs.errors("health: database unreachable");
    expect(logged).toMatchObject({ requestId: body.requestId, version, versionId: deployment.id });
  });

  it("answers 503 when the database refuses the credentials", async () => {
    const wrongPassword = new URL(fileDatabaseUrl());
    wrongPassword.password = "not-the-password";
    const response = await api("/health", {}, { DATABASE_URL: wrongPassword.toString() });
    expect(response.status).toBe(503);
    const [logged] = logs.errors("health: database unreachable");
    expect(JSON.stringify(logged)).toContain("28P01"); // invalid_password, by code
    expect(JSON.stringify(logged)).not.toContain("not-the-password");
  });
});

describe("GET /health/live", () => {
  const logs = captureLogs();
  it("answers without touching the database", async () => {
    const response = await api("/health/live", {}, { DATABASE_URL: "postgres://nobody:x@127.0.0.1:1/none" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", version, deployment });
  });

  it("reports no deployment, and logs no version id, without the version metadata binding", async () => {
    const response = await api("/health/live", {}, { CF_VERSION_METADATA: undefined });
    expect(await response.json()).toEqual({ status: "ok", version, deployment: null });
    const [line] = logs.requests();
    expect(line).toMatchObject({ status: 200, version });
    expect(line).not.toHaveProperty("versionId");
  });
});

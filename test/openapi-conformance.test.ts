// import.meta.glob, which vitest's Vite resolves at build time.
/// <reference path="../node_modules/vite/types/importMeta.d.ts" />
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { problemTypeList } from "../src/lib/problem";
import { form, json, PASSWORD, signUp, uniqueIp } from "./support/accounts";
import { api, testDatabase } from "./support/api";
import { zipBody } from "./support/archives";
import { rawUpload } from "./support/attachments";
import {
  fetchDocument,
  type OpenApiDocument,
  operationFor,
  operationsOf,
  responseDepartures,
  schemaRefusal,
} from "./support/openapi-document";
import { deliverQueued, dispatch, newReceiver } from "./support/webhooks";

// The OpenAPI document as generators read it, and as the server answers: names, servers, problem
// types, headers and bodies, for every operation, derived from the document itself.

let document: OpenApiDocument;
beforeAll(async () => {
  document = await fetchDocument();
});

// Every route contract the app exports, by its export name: what each operationId must be.
const routeModules = import.meta.glob<Record<string, unknown>>("../src/routes/**/*.routes.ts", { eager: true });
const contracts = Object.values(routeModules).flatMap((module) =>
  Object.entries(module).flatMap(([name, value]) =>
    typeof value === "object" && value !== null && "method" in value && "path" in value
      ? [{ name, method: String(value.method), path: String(value.path) }]
      : [],
  ),
);

describe("the OpenAPI document, as generators read it", () => {
  it("names every operation once, in camelCase, after its exported contract", () => {
    const operations = operationsOf(document);
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => id === undefined || !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(contracts.length).toBeGreaterThanOrEqual(operations.length);
    for (const { method, template, operation } of operations) {
      const contract = contracts.find((candidate) => candidate.method === method && candidate.path === template);
      expect(contract?.name, `${method} ${template}`).toBe(operation.operationId);
    }
  });

  it("says where the API is, the same wherever it is served, and that sign-in is per operation", async () => {
    expect(document.servers?.map((server) => server.url)).toEqual(["/", "{origin}"]);
    expect(document.servers?.[1]?.variables?.origin?.default).toMatch(/^https?:\/\/[^/]+$/);
    const elsewhere = await api("http://localhost:8787/openapi.json");
    expect(await elsewhere.json()).toEqual(document);
    expect(document.security).toEqual([]);
  });

  it("lists every problem type as Problem.type's enum, and gives each problem status its example", () => {
    const ours = problemTypeList.filter((type) => !("oauth" in type));
    const type = document.components.schemas.Problem?.properties?.type;
    expect(type?.enum).toEqual(["about:blank", ...ours.map(({ uri }) => uri)]);

    for (const { method, template, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const problem = response.content?.["application/problem+json"];
        if (!problem) continue;
        const [example] = Object.values(problem.examples ?? {});
        const value = document.components.examples?.[example?.$ref.split("/").pop() ?? ""]?.value;
        const label = `${method} ${template} ${status}`;
        expect(value, label).toMatchObject({ status: Number(status) });
        expect(schemaRefusal(document, { $ref: "#/components/schemas/Problem" }, value), label).toBeUndefined();
      }
    }
  });

  it("takes uploads as required raw bytes, and describes downloads as bytes of any media type", () => {
    const withBytes = operationsOf(document).filter(({ operation }) => operation.requestBody?.content["*/*"]);
    expect(withBytes.map(({ operation }) => operation.operationId).sort()).toEqual([
      "replaceAttachment",
      "uploadAttachment",
    ]);
    for (const { operation } of withBytes) {
      expect(operation.requestBody?.required).toBe(true);
      // No `type`: a generated client passes a Blob, an ArrayBuffer or a stream as it is.
      expect(operation.requestBody?.content["*/*"]?.schema).toEqual(
        expect.not.objectContaining({ type: expect.anything() }),
      );
    }
    const downloads = operationsOf(document).filter(({ operation }) => operation.responses["206"]);
    expect(downloads).toHaveLength(3);
    for (const { operation } of downloads) {
      expect(Object.keys(operation.responses["200"]?.content ?? {})).toEqual(["*/*"]);
      expect(operation.parameters?.map((parameter) => parameter.name)).toEqual(
        expect.arrayContaining(["range", "if-range", "if-none-match"]),
      );
    }
  });
});

describe("every answer is one the document describes", () => {
  /** Sends a request and holds its answer to the document; remembers which operations answered how. */
  const answered = new Map<string, number[]>();
  async function call(path: string, init: RequestInit = {}, token?: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("CF-Connecting-IP", uniqueIp());
    if (token) headers.set("Authorization", `Bearer ${token}`);
    const method = (init.method ?? "GET").toLowerCase();
    const response = await api(path, { ...init, headers });
    expect(await responseDepartures(document, method, path, response), `${method} ${path}`).toEqual([]);
    const found = operationFor(document, method, path);
    const key = found && `${method} ${found.template}`;
    if (key) answered.set(key, [...(answered.get(key) ?? []), response.status]);
    return response;
  }
  const ok = async (response: Response, status: number) => {
    // Read as text only to explain a failure: workerd warns when a download's bytes are read as text.
    if (response.status !== status)
      expect.fail(`${response.status} instead of ${status}: ${await response.clone().text()}`);
    return response;
  };
  const patch = (body: unknown, headers: Record<string, string> = {}) => json(body, { method: "PATCH", headers });

  it("walks every operation to its successful answers, and each answer conforms", { timeout: 60_000 }, async () => {
    await ok(await call("/health"), 200);
    await ok(await call("/health/live"), 200);

    // Accounts: register, sign in, refresh, the user.
    const [owner, member] = await Promise.all([signUp(), signUp()]);
    const email = `walker-${crypto.randomUUID()}@example.com`;
    await ok(await call("/v1/auth/register", json({ email, password: PASSWORD })), 201);
    const signIn = await ok(
      await call("/v1/auth/token", form({ grant_type: "password", username: email, password: PASSWORD })),
      200,
    );
    const tokens = await signIn.json<{ access_token: string; refresh_token: string }>();
    const refreshed = await ok(
      await call("/v1/auth/token", form({ grant_type: "refresh_token", refresh_token: tokens.refresh_token })),
      200,
    );
    const walker = await refreshed.json<{ access_token: string; refresh_token: string }>();
    const as = walker.access_token;
    await ok(await call("/v1/users/me", {}, as), 200);
    await ok(await call("/v1/users/me", patch({ displayName: "Walker" }), as), 200);

    // Notes, their revisions and attachments.
    const created = await ok(await call("/v1/notes", json({ title: "Walk", content: "one" }), as), 201);
    const note = await created.json<{ id: string }>();
    const etag = created.headers.get("etag") ?? "";
    await ok(await call("/v1/notes?archived=false", {}, as), 200);
    await ok(await call(`/v1/notes/${note.id}`, { headers: { "If-None-Match": etag } }, as), 304);
    await testDatabase().execute(
      sql`update notes set content_updated_at = content_updated_at - interval '2 minutes' where id = ${note.id}`,
    );
    const updated = await ok(
      await call(`/v1/notes/${note.id}`, patch({ content: "two" }, { "If-Match": etag }), as),
      200,
    );
    await ok(await call(`/v1/notes/${note.id}`, patch({ content: "x" }, { "If-Match": etag }), as), 412);
    await ok(await call(`/v1/notes/${note.id}`, { headers: { "If-None-Match": etag } }, as), 200);
    await ok(await call(`/v1/notes/${note.id}/revisions`, {}, as), 200);
    await ok(await call(`/v1/notes/${note.id}/revisions/1`, {}, as), 200);
    const restoreHeaders = { "If-Match": updated.headers.get("etag") ?? "" };
    await ok(
      await call(`/v1/notes/${note.id}/revisions/1/restore`, { method: "POST", headers: restoreHeaders }, as),
      200,
    );

    const uploaded = await ok(
      await call(`/v1/notes/${note.id}/attachments?filename=walk.txt`, rawUpload("walking along", "text/plain"), as),
      201,
    );
    const file = await uploaded.json<{ id: string }>();
    const multipart = new FormData();
    multipart.set("file", new Blob(["{}"], { type: "application/json" }), "walk.json");
    await ok(await call(`/v1/notes/${note.id}/attachments`, { method: "POST", body: multipart }, as), 201);
    await ok(await call(`/v1/notes/${note.id}/attachments`, {}, as), 200);
    const bytesAt = `/v1/notes/${note.id}/attachments/${file.id}`;
    const download = await ok(await call(bytesAt, {}, as), 200);
    await download.arrayBuffer();
    const fileTag = download.headers.get("etag") ?? "";
    await (await ok(await call(bytesAt, { headers: { Range: "bytes=0-3" } }, as), 206)).arrayBuffer();
    await ok(await call(bytesAt, { headers: { "If-None-Match": fileTag } }, as), 304);
    await ok(await call(bytesAt, { headers: { Range: "bytes=9999-" } }, as), 416);
    await ok(await call(bytesAt, { ...rawUpload("walked", "text/plain"), method: "PUT" }, as), 200);

    // Sharing by link, and publishing with votes.
    const link = await (await ok(await call(`/v1/notes/${note.id}/share-links`, { method: "POST" }, as), 201)).json<{
      id: string;
      token: string;
    }>();
    await ok(await call(`/v1/notes/${note.id}/share-links`, {}, as), 200);
    await ok(await call(`/v1/notes/${note.id}/share-links/${link.id}`, {}, as), 200);
    await ok(await call(`/v1/shared/${link.token}`), 200);
    await (await ok(await call(`/v1/shared/${link.token}/attachments/${file.id}`), 200)).arrayBuffer();
    await ok(await call(`/v1/shared/${"A".repeat(43)}`), 404);
    await ok(await call(`/v1/notes/${note.id}/share-links/${link.id}`, { method: "DELETE" }, as), 204);
    await ok(await call(`/v1/notes/${note.id}`, patch({ visibility: "public" }), as), 200);
    await ok(await call("/v1/public/notes"), 200);
    const published = await ok(await call(`/v1/public/notes/${note.id}`), 200);
    await ok(
      await call(`/v1/public/notes/${note.id}`, { headers: { "If-None-Match": published.headers.get("etag") ?? "" } }),
      304,
    );
    await (await ok(await call(`/v1/public/notes/${note.id}/attachments/${file.id}`), 200)).arrayBuffer();
    const vote = json({ value: 1 }, { method: "PUT" });
    await ok(await call(`/v1/public/notes/${note.id}/vote`, vote, member.tokens.access_token), 200);
    await ok(await call(`/v1/public/notes/${note.id}/vote`, { method: "DELETE" }, member.tokens.access_token), 200);
    await ok(await call(bytesAt, { method: "DELETE" }, as), 204);

    // The trash.
    await ok(await call(`/v1/notes/${note.id}`, { method: "DELETE" }, as), 204);
    await ok(await call("/v1/trash", {}, as), 200);
    await ok(await call(`/v1/trash/${note.id}/restore`, { method: "POST" }, as), 204);
    await ok(await call(`/v1/notes/${note.id}`, { method: "DELETE" }, as), 204);
    await ok(await call(`/v1/trash/${note.id}`, { method: "DELETE" }, as), 204);

    // The change feed: the start position, then what happened since.
    const start = await (await ok(await call("/v1/changes", {}, as), 200)).json<{ cursor: string }>();
    await ok(await call("/v1/notes", json({ title: "Synced", content: "" }), as), 201);
    await ok(await call(`/v1/changes?cursor=${encodeURIComponent(start.cursor)}`, {}, as), 200);

    // API tokens: made, listed, used, revoked.
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const tokenBody = { name: "Walk", scopes: ["notes:read"], expiresAt, password: PASSWORD };
    const issued = await call("/v1/tokens", json(tokenBody), as);
    const apiToken = await (await ok(issued, 201)).json<{ id: string; token: string }>();
    await ok(await call("/v1/tokens", {}, as), 200);
    await ok(await call(`/v1/tokens/${apiToken.id}`, {}, as), 200);
    await ok(await call("/v1/notes", {}, apiToken.token), 200);
    await ok(await call("/v1/notes", json({ title: "No", content: "" }), apiToken.token), 403);
    await ok(await call(`/v1/tokens/${apiToken.id}`, { method: "DELETE" }, as), 204);

    // Webhooks: an endpoint, its secret, a ping, a delivery and its redelivery, the log.
    const receiver = await newReceiver();
    const hook = await (await ok(await call("/v1/webhooks", json({ url: receiver.url }), as), 201)).json<{
      id: string;
      secret: string;
    }>();
    const hookAt = `/v1/webhooks/${hook.id}`;
    await ok(await call("/v1/webhooks", {}, as), 200);
    await ok(await call(hookAt, {}, as), 200);
    await ok(await call(hookAt, patch({ description: "Walks" }), as), 200);
    const rotated = await ok(await call(`${hookAt}/secret`, { method: "POST" }, as), 200);
    await receiver.trust([(await rotated.json<{ secret: string }>()).secret]);
    await ok(await call(`${hookAt}/ping`, { method: "POST" }, as), 200);
    await ok(await call("/v1/notes", json({ title: "Hooked", content: "" }), as), 201);
    await deliverQueued(await dispatch());
    const log = await (await ok(await call(`${hookAt}/attempts`, {}, as), 200)).json<{
      items: { deliveryId: string | null }[];
    }>();
    const delivered = log.items.find((attempt) => attempt.deliveryId)?.deliveryId;
    await ok(await call(`${hookAt}/deliveries/${delivered}/redeliver`, { method: "POST" }, as), 202);
    await ok(await call(hookAt, { method: "DELETE" }, as), 204);

    // Notebooks, invitations and members.
    const book = await (await ok(await call("/v1/notebooks", json({ name: "Walks" }), as), 201)).json<{ id: string }>();
    await ok(await call("/v1/notebooks", {}, as), 200);
    await ok(await call(`/v1/notebooks/${book.id}`, {}, as), 200);
    await ok(await call(`/v1/notebooks/${book.id}`, patch({ description: "Long ones" }), as), 200);
    const invited = async (who: { email: string }) => {
      const answer = await call(`/v1/notebooks/${book.id}/invitations`, json({ email: who.email, role: "editor" }), as);
      return (await (await ok(answer, 201)).json<{ id: string }>()).id;
    };
    const invitation = await invited(member);
    await ok(await call(`/v1/notebooks/${book.id}/invitations`, {}, as), 200);
    await ok(await call(`/v1/notebooks/${book.id}/invitations/${invitation}`, {}, as), 200);
    await ok(await call("/v1/invitations", {}, member.tokens.access_token), 200);
    await ok(await call(`/v1/invitations/${invitation}/accept`, { method: "POST" }, member.tokens.access_token), 200);
    await ok(await call(`/v1/notebooks/${book.id}/members`, {}, as), 200);
    const memberAt = `/v1/notebooks/${book.id}/members/${member.user.id}`;
    await ok(await call(memberAt, patch({ role: "viewer" }), as), 200);
    await ok(await call(memberAt, { method: "DELETE" }, as), 204);
    const declined = await invited(member);
    await ok(await call(`/v1/invitations/${declined}/decline`, { method: "POST" }, member.tokens.access_token), 204);
    const cancelled = await invited(owner);
    await ok(await call(`/v1/notebooks/${book.id}/invitations/${cancelled}`, { method: "DELETE" }, as), 204);
    await ok(await call(`/v1/notebooks/${book.id}`, { method: "DELETE" }, as), 204);

    // Export and import: the export's zip, brought back.
    const archive = await (await ok(await call("/v1/export", {}, as), 200)).arrayBuffer();
    await ok(await call("/v1/import", zipBody(new Uint8Array(archive)), as), 200);

    // Leaving: a new password, signing out, deleting the account.
    const changed = await call(
      "/v1/users/me/password",
      json({ currentPassword: PASSWORD, newPassword: `${PASSWORD}!` }),
      as,
    );
    const fresh = await (await ok(changed, 200)).json<{ access_token: string; refresh_token: string }>();
    await ok(await call("/v1/auth/revoke", form({ token: fresh.refresh_token })), 200);
    await ok(
      await call("/v1/users/me", json({ password: `${PASSWORD}!` }, { method: "DELETE" }), fresh.access_token),
      204,
    );

    const unanswered = operationsOf(document)
      .map(({ method, template }) => `${method} ${template}`)
      .filter((operation) => !answered.get(operation)?.some((status) => status < 400));
    expect(unanswered, "operations this walk never got a successful answer from").toEqual([]);
  });

  it("answers another media type with 415 and malformed JSON with 400, on every operation that parses a body", async () => {
    const user = await signUp();
    const parsing = operationsOf(document).filter(
      ({ operation }) =>
        operation.requestBody?.content["application/json"] ||
        operation.requestBody?.content["application/x-www-form-urlencoded"],
    );
    expect(parsing.length).toBeGreaterThan(10);
    for (const { method, template, operation } of parsing) {
      const path = template.replace(/\{\w+\}/g, crypto.randomUUID());
      const token = operation.security?.length ? user.tokens.access_token : undefined;
      const send = (contentType: string, body: string) =>
        call(path, { method: method.toUpperCase(), headers: { "Content-Type": contentType }, body }, token);
      expect((await send("text/plain", "words")).status, `${method} ${template}`).toBe(415);
      if (operation.requestBody?.content["application/json"]) {
        expect((await send("application/json", "{")).status, `${method} ${template}`).toBe(400);
      }
    }
  });
});

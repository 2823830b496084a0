import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { API_SCOPE_NAMES, type ApiScope, NOTEBOOK_TOKEN_SCOPES } from "../src/db/schema";
import type { RouteAccess } from "../src/middleware/auth";
import { type Account, json, signUp } from "./support/accounts";
import { createNotebook } from "./support/notebooks";
import { createNote, patchJson } from "./support/notes";
import { issueToken, withToken } from "./support/tokens";

// Generated from the OpenAPI document, so routes added later are in it: every signed-in operation
// declares what an API token needs (`x-required-scope`), and the server holds tokens to it. A token
// without the scope gets 403 insufficient_scope naming it (RFC 6750); one with only that scope gets
// past; no token passes a session-only operation. Then a notebook-limited token, through every
// operation it may call, never sees or touches anything outside its notebook.

interface Operation {
  "x-required-scope"?: RouteAccess;
  security?: Record<string, string[]>[];
}

const document = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "", version: "" } });
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, Operation>).map(([method, operation]) => ({
    name: `${method.toUpperCase()} ${path}`,
    method: method.toUpperCase(),
    path,
    operation,
    scope: operation["x-required-scope"],
  })),
);
const scoped = operations.filter((operation) => operation.scope !== undefined);

/** The operation's path with made-up parameters: whatever they name does not exist. */
const madeUpPath = (path: string) =>
  path
    .replace("{version}", "1")
    .replace("{token}", "A".repeat(43))
    .replace(/\{\w+\}/g, () => crypto.randomUUID());

const INSUFFICIENT = "urn:cloud-notes:problem:insufficient-scope";

let user: Account;
let everything: string;
const allBut = new Map<ApiScope, string>();
const only = new Map<ApiScope, string>();

beforeAll(async () => {
  user = await signUp();
  everything = (await issueToken(user)).token;
  for (const scope of API_SCOPE_NAMES) {
    allBut.set(scope, (await issueToken(user, { scopes: API_SCOPE_NAMES.filter((other) => other !== scope) })).token);
    only.set(scope, (await issueToken(user, { scopes: [scope] })).token);
  }
});

it("has every operation that needs a sign-in say what a token needs, in its security too", () => {
  for (const { name, operation, scope } of operations) {
    const requirements = operation.security ?? [];
    const signInRequired = requirements.length > 0 && !requirements.some((r) => Object.keys(r).length === 0);
    if (!signInRequired) continue;
    expect(scope, name).toBeDefined();
    const tokenRequirement = requirements.find((requirement) => "ApiToken" in requirement);
    expect(tokenRequirement, name).toEqual(scope === "session" ? undefined : { ApiToken: [scope] });
  }
  expect(scoped.length).toBeGreaterThan(50);
});

describe.each(scoped)("$name", ({ method, path, scope }) => {
  const send = (token: string) =>
    withToken(token)(madeUpPath(path), {
      method,
      ...(method === "GET" || method === "DELETE"
        ? {}
        : { body: "{}", headers: { "content-type": "application/json" } }),
    });

  if (scope === "session") {
    it("refuses every API token, whatever its scopes", async () => {
      const response = await send(everything);
      expect(response.status).toBe(403);
      expect((await response.json<{ type: string }>()).type).toBe(INSUFFICIENT);
      expect(response.headers.get("www-authenticate")).toMatch(/error="insufficient_scope"/);
    });
    return;
  }

  it(`refuses a token without ${scope}, naming it; lets one with only ${scope} past`, async () => {
    const refused = await send(allBut.get(scope as ApiScope) ?? "");
    expect(refused.status).toBe(403);
    expect((await refused.json<{ type: string }>()).type).toBe(INSUFFICIENT);
    expect(refused.headers.get("www-authenticate")).toBe(
      `Bearer realm="cloud-notes", error="insufficient_scope", scope="${scope}"`,
    );
    const allowed = await send(only.get(scope as ApiScope) ?? "");
    const type = allowed.headers.get("content-type")?.includes("json")
      ? (await allowed.json<{ type?: string }>()).type
      : undefined;
    expect(type, `${allowed.status}`).not.toBe(INSUFFICIENT);
    expect(allowed.status).not.toBe(401);
  });
});

describe("a notebook-limited token", () => {
  let inside: { notebook: string; note: string };
  let outside: string[];
  let limited: ReturnType<typeof withToken>;
  let paths: Record<string, string[]>;
  let feedCursor: string;
  let outsideInvitation: string;

  beforeAll(async () => {
    const owner = await signUp();
    const [a, b] = [await createNotebook(owner, "Inside"), await createNotebook(owner, "Outside")];
    const insideNote = await createNote(owner.request, { notebookId: a.id, title: "In" });
    const loose = await createNote(owner.request, { title: "Loose" });
    const elsewhere = await createNote(owner.request, { notebookId: b.id, title: "Elsewhere" });
    const trashed = await createNote(owner.request, { notebookId: b.id, title: "Trashed" });
    expect((await owner.request(`/v1/notes/${trashed.id}`, { method: "DELETE" })).status).toBe(204);
    const hook = await owner.request("/v1/webhooks", json({ url: "https://hooks.example.test/everything" }));
    const userWebhook = (await hook.json<{ id: string }>()).id;
    // An invitation to someone else's notebook: addressed to the user, outside the token's notebook.
    const stranger = await signUp();
    const theirs = await createNotebook(stranger, "Theirs");
    const invited = await stranger.request(
      `/v1/notebooks/${theirs.id}/invitations`,
      json({ email: owner.email, role: "viewer" }),
    );
    outsideInvitation = (await invited.json<{ id: string }>()).id;
    inside = { notebook: a.id, note: insideNote.id };
    outside = [b.id, loose.id, elsewhere.id, trashed.id, userWebhook, theirs.id, outsideInvitation];
    paths = {
      "/v1/notes/": [loose.id, elsewhere.id, trashed.id],
      "/v1/notebooks/": [b.id, theirs.id],
      "/v1/webhooks/": [userWebhook],
    };
    const token = await issueToken(owner, { notebookId: a.id, scopes: NOTEBOOK_TOKEN_SCOPES });
    limited = withToken(token.token);
    // The feed from here on: changes inside and outside.
    feedCursor = (await (await limited("/v1/changes")).json<{ cursor: string }>()).cursor;
    for (const id of [loose.id, elsewhere.id, insideNote.id]) {
      expect((await owner.request(`/v1/notes/${id}`, patchJson({ title: "Later" }))).status).toBe(200);
    }
  });

  /** Each GET the token's scopes reach, with each outside id where the path takes one. */
  const reads = () =>
    scoped
      .filter(({ method, scope }) => method === "GET" && NOTEBOOK_TOKEN_SCOPES.includes(scope as ApiScope))
      .flatMap(({ path }) => {
        if (!path.includes("{")) return [{ path, namesOne: false }];
        const prefix = Object.keys(paths).find((start) => path.startsWith(`${start}{id}`));
        return (prefix ? (paths[prefix] ?? []) : [crypto.randomUUID()]).map((id) => ({
          path: madeUpPath(path.replace("{id}", id)),
          namesOne: true,
        }));
      });

  it("reads nothing outside its notebook through any operation, and answers as if it did not exist", async () => {
    let checked = 0;
    for (const { path, namesOne } of reads()) {
      const response = await limited(path);
      // A problem's `instance` repeats the path asked for; everything else must not know the id.
      const { instance: _, ...answer } = response.headers.get("content-type")?.includes("json")
        ? await response.json<Record<string, unknown>>()
        : // Decoded by hand: workerd warns when a download's bytes (an export's zip) are read with text().
          { bytes: new TextDecoder().decode(await response.arrayBuffer()) };
      const text = JSON.stringify(answer);
      for (const id of outside) expect(text, `GET ${path}`).not.toContain(id);
      // A path naming something outside answers the 404 of a missing id; a listing, 200 without it.
      expect(response.status, `GET ${path}`).toBe(namesOne ? 404 : 200);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
    const feed = await (await limited(`/v1/changes?cursor=${encodeURIComponent(feedCursor)}`)).json<{
      items: { id: string }[];
    }>();
    expect(feed.items.map((change) => change.id)).toEqual([inside.note]);
    // Inside, it works.
    expect((await limited(`/v1/notes/${inside.note}`)).status).toBe(200);
    expect((await limited("/v1/notes")).ok).toBe(true);
    expect(await (await limited("/v1/notebooks")).json()).toMatchObject({ items: [{ id: inside.notebook }] });
  });

  it("makes and moves nothing outside its notebook", async () => {
    const [b, loose, elsewhere] = outside;
    expect((await limited(`/v1/invitations/${outsideInvitation}/accept`, { method: "POST" })).status).toBe(404);
    expect((await limited(`/v1/invitations/${outsideInvitation}/decline`, { method: "POST" })).status).toBe(404);
    expect((await limited("/v1/notes", json({ title: "Loose", content: "" }))).status).toBe(403);
    expect((await limited("/v1/notes", json({ title: "There", content: "", notebookId: b }))).status).toBe(404);
    expect((await limited(`/v1/notes/${elsewhere}`, patchJson({ title: "Changed" }))).status).toBe(404);
    expect((await limited(`/v1/notes/${loose}`, { method: "DELETE" })).status).toBe(404);
    expect((await limited(`/v1/notes/${inside.note}`, patchJson({ notebookId: b }))).status).toBe(404);
    expect((await limited(`/v1/notes/${inside.note}`, patchJson({ notebookId: null }))).status).toBe(403);
    expect((await limited("/v1/notebooks", json({ name: "New" }))).status).toBe(403);
    expect((await limited("/v1/webhooks", json({ url: "https://hooks.example.test/all" }))).status).toBe(403);
    expect((await limited(`/v1/notebooks/${b}`, patchJson({ name: "Renamed" }))).status).toBe(404);
    // Inside, it may.
    expect(
      (await limited("/v1/notes", json({ title: "Inside", content: "", notebookId: inside.notebook }))).status,
    ).toBe(201);
  });
});

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import { describe, expect, it } from "vitest";
import { type Account, signUp } from "./support/accounts";
import { api } from "./support/api";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";
import { issueToken } from "./support/tokens";

// The MCP endpoint through the official SDK's own client, as an assistant connects: the client's
// requests go into the worker's fetch handler (no network), with an API token as its credential.

// The client validates tools' output schemas, which these tools do not declare.
const noValidation: jsonSchemaValidator = {
  getValidator: () => () => ({ valid: true, data: undefined, errorMessage: undefined }) as never,
};

async function connect(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL("https://api.test/mcp"), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: (url, init) => api(String(url), init),
  });
  const client = new Client({ name: "cloud-notes-test", version: "1" }, { jsonSchemaValidator: noValidation });
  await client.connect(transport);
  return client;
}

const textOf = (result: Awaited<ReturnType<Client["callTool"]>>) =>
  (result.content as { type: string; text: string }[]).map((part) => part.text).join("");

describe("the MCP endpoint", () => {
  let user: Account;

  it("lists the API's operations as tools, only those the token's scopes allow", async () => {
    user = await signUp();
    const client = await connect((await issueToken(user, { scopes: ["notes:read"] })).token);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(["listNotes", "getNote", "listNotebooks", "listChanges"]));
    expect(names).not.toContain("createNote");
    expect(names).not.toContain("createApiToken");
    const listNotes = tools.find((tool) => tool.name === "listNotes");
    expect(listNotes?.inputSchema.properties).toHaveProperty("q");
    expect(JSON.stringify(tools)).not.toContain("$ref");
    await client.close();
  });

  it("searches notes and creates one with a notes:write token, through the same handlers", async () => {
    user = await signUp();
    await createNote(user.request, { title: "Sourdough starter", content: "feed it flour and water" });
    await createNote(user.request, { title: "Bike repair", content: "patch the tube" });
    const client = await connect((await issueToken(user, { scopes: ["notes:read", "notes:write"] })).token);

    const found = await client.callTool({ name: "listNotes", arguments: { q: "sourdough" } });
    expect(found.isError).toBe(false);
    const page = JSON.parse(textOf(found)) as { items: { title: string }[] };
    expect(page.items.map((note) => note.title)).toEqual(["Sourdough starter"]);

    const created = await client.callTool({
      name: "createNote",
      arguments: { body: { title: "From an assistant", content: "hello", tags: ["mcp"] } },
    });
    expect(created.isError).toBe(false);
    const note = JSON.parse(textOf(created)) as { id: string; title: string };
    expect(note.title).toBe("From an assistant");
    expect(await (await user.request(`/v1/notes/${note.id}`)).json()).toMatchObject({ tags: ["mcp"] });

    const edited = await client.callTool({
      name: "updateNote",
      arguments: { id: note.id, body: { content: "edited" } },
    });
    expect(JSON.parse(textOf(edited))).toMatchObject({ content: "edited", version: 2 });
    await client.close();
  });

  it("refuses a tool the token's scopes do not allow, with the API's own problem", async () => {
    user = await signUp();
    const client = await connect((await issueToken(user, { scopes: ["notes:read"] })).token);
    const refused = await client.callTool({
      name: "createNote",
      arguments: { body: { title: "Not allowed", content: "" } },
    });
    expect(refused.isError).toBe(true);
    expect(JSON.parse(textOf(refused))).toMatchObject({
      status: 403,
      type: "urn:cloud-notes:problem:insufficient-scope",
      detail: "This API token lacks the scope notes:write.",
    });
    const invalid = await client.callTool({ name: "getNote", arguments: { id: "not-an-id" } });
    expect(invalid.isError).toBe(true);
    // A dot segment would resolve to another route: refused before any request is made.
    const climbing = await client.callTool({ name: "getNote", arguments: { id: ".." } });
    expect(climbing).toMatchObject({ isError: true, content: [{ text: "id must name a resource" }] });
    expect((await (await user.request("/v1/notes")).json<{ items: unknown[] }>()).items).toEqual([]);
    await client.close();
  });

  it("passes request headers the operation takes, such as If-Match and Idempotency-Key", async () => {
    user = await signUp();
    const note = await createNote(user.request, { title: "Versioned" });
    const client = await connect((await issueToken(user, { scopes: ["notes:read", "notes:write"] })).token);
    const { tools } = await client.listTools();
    expect(tools.find((tool) => tool.name === "updateNote")?.inputSchema.properties).toHaveProperty("if-match");
    const stale = await client.callTool({
      name: "updateNote",
      arguments: { id: note.id, "if-match": '"v9"', body: { title: "Lost update" } },
    });
    expect(stale.isError).toBe(true);
    expect(JSON.parse(textOf(stale))).toMatchObject({ status: 412 });
    const key = crypto.randomUUID();
    const create = { name: "createNote", arguments: { "idempotency-key": key, body: { title: "Once", content: "" } } };
    const first = JSON.parse(textOf(await client.callTool(create))) as { id: string };
    const retried = JSON.parse(textOf(await client.callTool(create))) as { id: string };
    expect(retried.id).toBe(first.id);
    await client.close();
  });

  it("answers 401 without a credential, 405 to GET (it is stateless), and 400 to a batch", async () => {
    const post = (init: RequestInit) => api("/mcp", { method: "POST", ...init });
    await expectProblem(await post({ body: "{}", headers: { "content-type": "application/json" } }), 401);
    expect((await api("/mcp")).status).toBe(405);
    user = await signUp();
    const { token } = await issueToken(user, { scopes: ["notes:read"] });
    const call = { jsonrpc: "2.0", method: "tools/list", params: {} };
    const batch = await post({
      body: JSON.stringify([
        { ...call, id: 1 },
        { ...call, id: 2 },
      ]),
      headers: {
        Authorization: `Bearer ${token}`,
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
    });
    await expectProblem(batch, 400);
  });
});

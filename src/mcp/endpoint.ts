import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/types.js";
import type { Context } from "hono";
import { version } from "../../package.json";
import type { SignedInCaller } from "../db/queries/caller";
import { insufficientScope, Problem, problemBody } from "../lib/problem";
import type { AppEnv } from "../lib/router";
import { type Document, requestFor, type Tool, toolsOf } from "./tools";

// POST /mcp: a stateless Streamable HTTP endpoint of the Model Context Protocol, with the official
// SDK. Its tools are the API's own operations (tools.ts); a call is dispatched in-process through the
// app, with the caller's own credential, so the same middleware, scopes, roles and problems apply to
// an assistant as to any client, and no rule is written twice. A fresh server and transport serve
// each request: nothing is kept between requests (no session id).

/** The app's fetch and its OpenAPI document: what the endpoint dispatches to and makes tools from. */
export interface McpTarget {
  fetch: (
    request: Request,
    env: AppEnv["Bindings"],
    ctx: Context<AppEnv>["executionCtx"],
  ) => Response | Promise<Response>;
  document: () => Document;
}

// The server asks clients nothing (no elicitation), which is all the SDK validates JSON Schema for;
// passing this keeps its default validator (ajv, ~35 KiB gzipped) out of the bundle (wrangler.toml).
const noValidation: jsonSchemaValidator = {
  getValidator: () => {
    throw new Error("this MCP server validates no client answers");
  },
};

const toolsByDocument = new WeakMap<object, Tool[]>();

function toolsFor(target: McpTarget): Tool[] {
  const document = target.document();
  let tools = toolsByDocument.get(document);
  if (!tools) {
    tools = toolsOf(document);
    toolsByDocument.set(document, tools);
  }
  return tools;
}

/** The tools a caller can use: every one for a password sign-in, those of its scopes for an API token. */
const usableBy = (caller: SignedInCaller, tools: Tool[]) =>
  caller.kind === "token" ? tools.filter((tool) => caller.scopes.includes(tool.scope)) : tools;

const refusal = (text: string) => ({ content: [{ type: "text" as const, text }], isError: true });

/** Headers the in-process request carries over: who is asking, and from where (rate limits). */
const FORWARDED = ["authorization", "cf-connecting-ip"];

export async function serveMcp(c: Context<AppEnv>, target: McpTarget): Promise<Response> {
  const tools = toolsFor(target);
  const server = new Server(
    { name: "cloud-notes", version },
    {
      capabilities: { tools: {} },
      jsonSchemaValidator: noValidation,
      instructions:
        "Cloud Notes: notes with attachments in notebooks. Tools are the REST API's operations; each answers " +
        "the API's JSON (errors as RFC 9457 problem details, with isError).",
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: usableBy(c.var.caller, tools).map(({ name, description, inputSchema }) => ({
      name,
      description,
      inputSchema,
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = tools.find((candidate) => candidate.name === request.params.name);
    if (!tool) return refusal(`No tool named ${request.params.name}.`);
    // What the route would answer, without a round trip for it; the route checks again.
    const caller = c.var.caller;
    if (caller.kind === "token" && !caller.scopes.includes(tool.scope)) {
      return refusal(JSON.stringify(problemBody(insufficientScope(tool.scope), tool.path, c.var.requestId)));
    }
    const made = requestFor(tool, request.params.arguments ?? {});
    if ("refused" in made) return refusal(made.refused);
    const { path, init } = made;
    const headers = new Headers(init.headers);
    for (const name of FORWARDED) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    const response = await target.fetch(
      new Request(new URL(path, c.req.url), { ...init, headers }),
      c.env,
      c.executionCtx,
    );
    const text = await response.text();
    return { content: [{ type: "text", text: text || `${response.status}` }], isError: response.status >= 400 };
  });
  // One message per request: a JSON-RPC batch (which the protocol no longer has) would be up to 100
  // tool calls for the price of one request.
  const message = await c.req.text();
  if (message.trimStart().startsWith("[")) {
    throw new Problem(400, { detail: "Send one JSON-RPC message per request: batches are not accepted." });
  }
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  return transport.handleRequest(new Request(c.req.raw, { body: message }));
}

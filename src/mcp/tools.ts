import type { ApiScope } from "../db/schema";

// MCP tools generated from the OpenAPI document: one per operation an API token may call (it names a
// scope) that takes and answers JSON. A tool's input is the operation's path and query parameters by
// name, and its JSON body as `body`; its schema is the document's, with references inlined, so the
// contract has one source and a new route is a new tool without being listed.

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface DocumentOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
  "x-required-scope"?: string;
}

/** The OpenAPI document as read here: only what tools are made from. */
export interface Document {
  paths?: object;
  components?: object;
}

interface ReadDocument {
  paths?: Record<string, Record<string, DocumentOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Tool {
  name: string;
  description: string;
  inputSchema: { type: "object"; properties: Record<string, JsonSchema>; required: string[] };
  method: string;
  path: string;
  scope: ApiScope;
  pathParameters: string[];
  queryParameters: string[];
  /** Request headers the operation takes (If-Match, Idempotency-Key…), as inputs by their names. */
  headerParameters: string[];
  takesBody: boolean;
}

const REF = "#/components/schemas/";

/** `schema` with every `$ref` to a component replaced by the component (the document has no cycles). */
function inlined(schema: unknown, components: Record<string, JsonSchema>, depth = 0): unknown {
  if (depth > 32) throw new Error("a schema nests deeper than 32 references");
  if (Array.isArray(schema)) return schema.map((item) => inlined(item, components, depth));
  if (schema === null || typeof schema !== "object") return schema;
  const { $ref, ...rest } = schema as { $ref?: string };
  if (typeof $ref === "string" && $ref.startsWith(REF)) {
    return inlined({ ...components[$ref.slice(REF.length)], ...rest }, components, depth + 1);
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, inlined(value, components, depth)]));
}

const answersJson = (operation: DocumentOperation) =>
  Object.entries(operation.responses ?? {}).some(
    ([status, response]) =>
      status.startsWith("2") && (response.content === undefined || "application/json" in response.content),
  );

export function toolsOf(served: Document): Tool[] {
  const document = served as ReadDocument;
  const components = document.components?.schemas ?? {};
  const tools: Tool[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const scope = operation["x-required-scope"];
      if (!scope || scope === "session" || !operation.operationId || !answersJson(operation)) continue;
      const bodyTypes = Object.keys(operation.requestBody?.content ?? {});
      if (bodyTypes.some((type) => type !== "application/json")) continue; // uploads take bytes
      const parameters = (operation.parameters ?? []).filter((p) => ["path", "query", "header"].includes(p.in));
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const parameter of parameters) {
        properties[parameter.name] = {
          ...(inlined(parameter.schema ?? {}, components) as JsonSchema),
          ...(parameter.description ? { description: parameter.description } : {}),
        };
        if (parameter.required) required.push(parameter.name);
      }
      const body = operation.requestBody?.content?.["application/json"]?.schema;
      if (body) {
        properties.body = inlined(body, components) as JsonSchema;
        if (operation.requestBody?.required) required.push("body");
      }
      tools.push({
        name: operation.operationId,
        description: [operation.summary, operation.description].filter(Boolean).join("\n\n"),
        inputSchema: { type: "object", properties, required },
        method: method.toUpperCase(),
        path,
        scope: scope as ApiScope,
        pathParameters: parameters.filter((p) => p.in === "path").map((p) => p.name),
        queryParameters: parameters.filter((p) => p.in === "query").map((p) => p.name),
        headerParameters: parameters.filter((p) => p.in === "header").map((p) => p.name),
        takesBody: body !== undefined,
      });
    }
  }
  return tools;
}

/**
 * The request a call of `tool` with `input` makes: its path filled in, its query, headers and body; or
 * why it cannot be made. Each path parameter stays one segment of the tool's own path: encoded, and
 * never a dot segment, which URL parsing would resolve into another route.
 */
export function requestFor(
  tool: Tool,
  input: Record<string, unknown>,
): { path: string; init: RequestInit } | { refused: string } {
  let path = tool.path;
  for (const name of tool.pathParameters) {
    const value = String(input[name] ?? "");
    if (value === "" || value === "." || value === "..") return { refused: `${name} must name a resource` };
    path = path.replace(`{${name}}`, encodeURIComponent(value));
  }
  const headers: Record<string, string> = {};
  for (const name of tool.headerParameters) {
    const value = input[name];
    if (typeof value === "string") headers[name] = value;
  }
  const query = new URLSearchParams();
  for (const name of tool.queryParameters) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.append(name, String(item));
  }
  const search = query.size > 0 ? `?${query}` : "";
  const body = tool.takesBody && input.body !== undefined ? JSON.stringify(input.body) : undefined;
  if (body !== undefined) headers["content-type"] = "application/json";
  return { path: `${path}${search}`, init: { method: tool.method, headers, ...(body === undefined ? {} : { body }) } };
}

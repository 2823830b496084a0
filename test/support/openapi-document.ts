import { z } from "@hono/zod-openapi";
import { api } from "./api";

// The OpenAPI document as tests read it, and what an answer must have in common with it. Tests that
// send requests generated from the document (input-fuzz, secured-operations) or walk the API
// (openapi-conformance) hold every answer to `departures`, so the document cannot drift from the server.

export interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  contentMediaType?: string;
}
export interface Parameter {
  name: string;
  in: "query" | "header" | "path" | "cookie";
  required?: boolean;
  schema: Schema;
}
interface MediaType {
  schema?: Schema;
  examples?: Record<string, { $ref: string }>;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, { required?: boolean; schema?: Schema }>;
  content?: Record<string, MediaType>;
}
export interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  responses: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}
export interface OpenApiDocument {
  servers?: { url: string; variables?: Record<string, { default: string }> }[];
  security?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Schema>;
    examples?: Record<string, { summary?: string; value: unknown }>;
  };
}

export async function fetchDocument(): Promise<OpenApiDocument> {
  return (await api("/openapi.json")).json<OpenApiDocument>();
}

export interface DocumentedOperation {
  method: string;
  template: string;
  operation: Operation;
}

/** Every operation of the document, with its method and path template. */
export function operationsOf(document: OpenApiDocument): DocumentedOperation[] {
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ method, template, operation })),
  );
}

/** The operation that answers `method` on a concrete `path` (its query string ignored). */
export function operationFor(document: OpenApiDocument, method: string, path: string): DocumentedOperation | undefined {
  const pathname = new URL(path, "https://api.test").pathname;
  return operationsOf(document).find(
    (candidate) =>
      candidate.method === method.toLowerCase() &&
      new RegExp(`^${candidate.template.replace(/\{\w+\}/g, "[^/]+")}$`).test(pathname),
  );
}

/** Response headers the document must mention wherever they are sent. */
export const WATCHED_HEADERS = [
  "location",
  "retry-after",
  "www-authenticate",
  "etag",
  "content-range",
  "content-disposition",
];

/** Does a declared media type (or range such as `*\/*`, `image/*`) cover the answer's Content-Type? */
function covers(declared: string, contentType: string): boolean {
  const essence = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (declared === "*/*") return true;
  if (declared.endsWith("/*")) return essence.startsWith(declared.slice(0, -1));
  return essence === declared;
}

const validators = new WeakMap<OpenApiDocument, Map<string, z.ZodType>>();

/** Why `schema` (with the document's references) refuses `value`; undefined when it accepts it. */
export function schemaRefusal(document: OpenApiDocument, schema: Schema, value: unknown): string | undefined {
  const parsed = validatorFor(document, schema).safeParse(value);
  return parsed.success ? undefined : parsed.error.message;
}

/** The document's JSON schema as a zod schema, its `#/components/schemas` references included. */
function validatorFor(document: OpenApiDocument, schema: Schema): z.ZodType {
  const cache = validators.get(document) ?? new Map<string, z.ZodType>();
  validators.set(document, cache);
  const key = JSON.stringify(schema);
  const cached = cache.get(key);
  if (cached) return cached;
  const local = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll("#/components/schemas/", "#/$defs/"));
  const validator = z.fromJSONSchema({ ...local(schema), $defs: local(document.components.schemas) });
  cache.set(key, validator);
  return validator;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The body as text; only JSON bodies are read. */
  body: string;
}

/**
 * How an answer departs from what the document says of the operation that gave it: a status it does
 * not list, a watched header it does not mention for that status, a header it says is always sent but
 * is missing, a media type it does not declare, a problem `type` outside the enum, a JSON body its
 * schema refuses. Empty when the answer is as documented.
 */
export function departures(document: OpenApiDocument, method: string, path: string, answer: Answer): string[] {
  const found = operationFor(document, method, path);
  if (!found) return [`${method} ${path}: no operation in the document`];
  const label = `${method.toUpperCase()} ${found.template} ${answer.status}`;
  const response = found.operation.responses[String(answer.status)];
  if (!response) return [`${label}: status not documented`];

  const problems: string[] = [];
  const documented = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, header]) => [name.toLowerCase(), header]),
  );
  for (const name of WATCHED_HEADERS) {
    if (answer.headers.has(name) && !documented[name]) problems.push(`${label}: sends ${name}, undocumented`);
  }
  for (const [name, header] of Object.entries(documented)) {
    if (header.required && !answer.headers.has(name)) problems.push(`${label}: documents ${name} as sent, missing`);
  }

  const contentType = answer.headers.get("content-type");
  const declared = Object.entries(response.content ?? {});
  if (contentType === null) return problems;
  const media = declared.find(([type]) => covers(type, contentType));
  if (!media) return [...problems, `${label}: ${contentType} not among ${declared.map(([type]) => type).join(", ")}`];
  if (!/json/.test(contentType) || !media[1].schema) return problems;
  const refusal = schemaRefusal(document, media[1].schema, JSON.parse(answer.body));
  if (refusal) problems.push(`${label}: body ${answer.body} fails its schema: ${refusal}`);
  return problems;
}

/** `departures` of a Response, which stays readable (a clone is read). */
export async function responseDepartures(
  document: OpenApiDocument,
  method: string,
  path: string,
  response: Response,
): Promise<string[]> {
  const isJson = /json/.test(response.headers.get("content-type") ?? "");
  const body = isJson ? await response.clone().text() : "";
  return departures(document, method, path, { status: response.status, headers: response.headers, body });
}

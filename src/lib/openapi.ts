import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { CHANGE_RETENTION } from "../db/schema";
import {
  badRequest,
  concurrentChange,
  dependencyUnavailable,
  forbidden,
  notFound,
  Problem,
  type ProblemTypeUri,
  problemBody,
  problemType,
  problemTypeList,
  resyncRequired,
  tooManyRequests,
  unauthorized,
  validationFailed,
} from "./problem";

/**
 * A response header as the document describes it: what OpenAPI's Header Object needs of it here (a type
 * alias, not an interface, so that it fits the Header Object's `x-` index signature).
 */
export type HeaderObject = {
  description: string;
  required?: boolean;
  schema: { type: "string" | "integer"; format?: string; minimum?: number; enum?: string[] };
  example?: string | number;
};
export type HeadersObject = Record<string, HeaderObject>;

// OAuth's types travel in the token endpoints' OAuthError, never in a Problem.
const ours = problemTypeList.filter((type) => !("oauth" in type));
const BLANK = "The status says it all (a malformed body 400, 401, 404, 405, 411, 415, 416, 500).";

export const ProblemSchema = z
  .object({
    type: z.enum<ProblemTypeUri[]>(["about:blank", ...ours.map(({ uri }) => uri)]).openapi({
      description: [
        "What kind of problem this is:",
        "",
        `- \`about:blank\`: ${BLANK}`,
        ...ours.map(({ uri, status, about }) => `- \`${uri}\` (${status}): ${about}`),
      ].join("\n"),
      "x-enum-descriptions": [BLANK, ...ours.map(({ status, about }) => `${status}: ${about}`)],
    }),
    title: z.string().openapi({ description: "The status's reason phrase", example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ description: "What went wrong, for a person to read" }),
    instance: z.string().openapi({
      description: "The request's path",
      example: "/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11",
    }),
    requestId: z.string().openapi({ description: "The request's X-Request-Id; quote it when reporting a problem" }),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "With 422: each refused input, as `body.title`, `query.limit`, `header.if-match`" }),
  })
  .openapi("Problem", {
    description: "RFC 9457 problem details; a problem may carry further members (`/health` adds `database`)",
  });

export const problemContent = { "application/problem+json": { schema: ProblemSchema } };

/** The response headers the API sends, described once; `required` where a response always carries it. */
const HEADERS = {
  Location: {
    description: "The created resource's path on this server",
    schema: { type: "string", format: "uri-reference" },
    example: "/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11",
  },
  ETag: {
    description: "A strong validator of this representation, for If-None-Match (304) and If-Match (412)",
    schema: { type: "string" },
    example: '"v3"',
  },
  "Retry-After": {
    description: "Seconds to wait before sending the request again",
    schema: { type: "integer", minimum: 1 },
    example: 5,
  },
  "WWW-Authenticate": {
    description: 'RFC 6750: `error="invalid_token"` when a token was sent but is invalid, expired or its session ended',
    schema: { type: "string" },
    example: 'Bearer realm="cloud-notes", error="invalid_token"',
  },
  "Cache-Control": { description: "Who may keep the answer, and for how long", schema: { type: "string" } },
  Vary: { description: "The request headers the answer depends on", schema: { type: "string" } },
  "Idempotent-Replayed": {
    description: "`true`: this is the stored answer to an earlier request with the same Idempotency-Key",
    schema: { type: "string", enum: ["true"] },
  },
  "Accept-Ranges": { description: "Byte ranges may be asked for (Range)", schema: { type: "string", enum: ["bytes"] } },
  "Content-Range": {
    description: "The bytes sent and the file's size; `bytes */<size>` with 416",
    schema: { type: "string" },
    example: "bytes 0-1023/52300",
  },
  "Content-Length": { description: "Bytes in this answer", schema: { type: "integer", minimum: 0 } },
  "Content-Disposition": {
    description: "Always `attachment`, with the file's name (RFC 6266; `filename*` carries it exactly)",
    schema: { type: "string" },
    example: `attachment; filename="notes.pdf"; filename*=UTF-8''notes.pdf`,
  },
  "Content-Security-Policy": {
    description: "Downloads never run as a page: `default-src 'none'; sandbox`",
    schema: { type: "string" },
  },
  "X-Robots-Tag": {
    description: "`noindex`: a share link's answer stays out of search engines",
    schema: { type: "string" },
  },
  "Referrer-Policy": {
    description: "`no-referrer`: a share link's token is never sent on",
    schema: { type: "string" },
  },
} satisfies Record<string, HeaderObject>;

export type HeaderName = keyof typeof HEADERS;

/** A documented response header; `description` says what this route sends when it differs from the usual. */
export const header = (
  name: HeaderName,
  options: { required?: boolean; description?: string; example?: string } = {},
): HeaderObject => ({
  ...HEADERS[name],
  ...options,
});

/** `headers` for a response, each one as `header()` describes it. */
export const headers = (...names: HeaderName[]): HeadersObject =>
  Object.fromEntries(names.map((name) => [name, header(name)]));

// One example per problem status, made by the problem constructors the API throws.
const EXAMPLE_INSTANCE = "/v1/notes/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11";
const EXAMPLE_REQUEST_ID = "9d3e1f7a-2b4c-4e8d-a6f0-1c5b7d9e3a24";

interface ProblemAnswer {
  description: string;
  example: Problem;
  headers?: HeadersObject;
}

const PROBLEM_ANSWERS = {
  400: {
    description: "Malformed request: JSON that does not parse, a body that is not UTF-8, a broken multipart body",
    example: badRequest("Malformed JSON in request body"),
  },
  401: {
    description: "No bearer token, or one that is invalid, expired or from a session that ended",
    example: unauthorized("The access token is invalid or expired.", "invalid_token"),
    headers: { "WWW-Authenticate": header("WWW-Authenticate", { required: true }) },
  },
  403: {
    description: "Your role is too weak for this (`urn:cloud-notes:problem:forbidden`)",
    example: forbidden("Your role does not allow this change.", "forbidden"),
  },
  404: {
    description: "No such resource (or not yours), or a malformed id",
    example: notFound("No note with this id."),
  },
  409: {
    description: "Conflict with the current state; with Retry-After, a concurrent request got in the way: retry",
    example: concurrentChange(),
    headers: { "Retry-After": header("Retry-After") },
  },
  410: {
    description: "A change-feed cursor older than the feed keeps (`resync-required`)",
    example: resyncRequired(CHANGE_RETENTION.days),
  },
  411: {
    description: "A raw upload without Content-Length",
    example: new Problem(411, { detail: "A raw upload needs a Content-Length header (or send multipart/form-data)." }),
  },
  412: {
    description: "If-Match did not match the current version; ETag carries it when known",
    example: new Problem(412, {
      type: problemType("stale-version"),
      detail: "The note changed since the ETag in If-Match; fetch it again and reapply your change.",
    }),
    headers: { ETag: header("ETag") },
  },
  413: {
    description: "Request body too large",
    example: new Problem(413, { type: problemType("body-too-large"), detail: "The request body exceeds 65536 bytes." }),
  },
  415: {
    description: "The body's Content-Type is not one the operation takes",
    example: new Problem(415, { detail: "Unsupported Media Type" }),
  },
  416: {
    description: "The Range asks for bytes past the end of the file",
    example: new Problem(416, { detail: "The file has 52300 bytes." }),
    headers: { "Content-Range": header("Content-Range", { required: true }) },
  },
  422: {
    description: "The request did not match the schema; `errors` names each field",
    example: validationFailed([{ path: "body.title", message: "Too small: expected string to have >=1 characters" }]),
  },
  429: {
    description: "Too many requests; retry after Retry-After",
    example: tooManyRequests(60),
    headers: { "Retry-After": header("Retry-After", { required: true }) },
  },
  503: {
    description: "The database (or, for uploads, the file store) is unreachable or too slow; retry after Retry-After",
    example: dependencyUnavailable(),
    headers: {
      "Retry-After": header("Retry-After", { required: true }),
      "Cache-Control": header("Cache-Control", { description: "`no-store` when the database did not answer" }),
    },
  },
} satisfies Record<number, ProblemAnswer>;

export type ProblemStatus = keyof typeof PROBLEM_ANSWERS;

export const isProblemStatus = (status: number): status is ProblemStatus => Object.hasOwn(PROBLEM_ANSWERS, status);

const exampleName = (status: number) => `Problem${status}`;

/** A problem response, as PROBLEM_ANSWERS describes it; `description` and `headers` add to it for one route. */
export function problem(status: ProblemStatus, own: { description?: string; headers?: HeadersObject } = {}) {
  const answer: ProblemAnswer = PROBLEM_ANSWERS[status];
  return {
    description: own.description ?? answer.description,
    ...(answer.headers || own.headers ? { headers: { ...answer.headers, ...own.headers } } : {}),
    content: {
      "application/problem+json": {
        schema: ProblemSchema,
        examples: { [answer.example.type]: { $ref: `#/components/examples/${exampleName(status)}` } },
      },
    },
  };
}

/** The problem responses a route can give, by status, for its OpenAPI description. */
export function problems(...statuses: ProblemStatus[]) {
  return Object.fromEntries(statuses.map((status) => [status, problem(status)]));
}

/** What the routes' descriptions refer to, registered once on the app: one example problem per status. */
export function registerProblemExamples(registry: OpenAPIHono["openAPIRegistry"]) {
  for (const { example } of Object.values(PROBLEM_ANSWERS)) {
    registry.registerComponent("examples", exampleName(example.status), {
      summary: `${example.status}: ${example.type === "about:blank" ? example.title : example.type}`,
      value: problemBody(example, EXAMPLE_INSTANCE, EXAMPLE_REQUEST_ID),
    });
  }
}

/**
 * The document's `servers`. The API runs on workers.dev, on custom domains and on localhost, and the
 * document is the same everywhere (a committed copy is compared with it byte for byte), so it names no
 * host: first `/`, the origin the document was fetched from, which Swagger UI and clients generated
 * from the live document resolve to the deployment that served it; then `{origin}`, for a client
 * generated from a saved copy, with `npm run dev`'s address as its default.
 */
export const SERVERS = [
  { url: "/", description: "The origin this document was fetched from" },
  {
    url: "{origin}",
    description: "A deployment by its origin: workers.dev, a custom domain, or `npm run dev`",
    variables: {
      origin: {
        default: "http://localhost:8787",
        description: "Scheme, host and port, e.g. https://cloud-notes.example.workers.dev",
      },
    },
  },
];

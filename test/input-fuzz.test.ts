import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textProblem } from "../src/lib/schemas";
import { signUp, uniqueEmail, uniqueIp } from "./support/accounts";
import { api } from "./support/api";
import { upload } from "./support/attachments";
import { createNote } from "./support/notes";

// Every string and number that the OpenAPI document says a JSON body, a form or a query string
// carries, on every operation, is fed hostile values inside an otherwise valid request: NULs, lone
// surrogates, astral characters, numbers far outside any range, numbers in other notations. Nothing
// may answer 5xx, and text the database could not store must be refused naming the field. Routes
// added later are covered without being listed here.

interface Schema {
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
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** A field to fuzz: where it travels, its name, its declared schema. */
interface Field {
  where: "body" | "form" | "query";
  name: string;
  schema: Schema;
}

// Numbers that JSON can carry but JavaScript cannot hold exactly, written into the body as they are.
const RAW_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "1E-400", "-0"];
const RAW = "\u0001raw:";

const hostileText = fc.oneof(
  fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`),
  fc
    .tuple(fc.string(), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"), fc.string())
    .map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.constantFrom("0x10", "1e1", " 5 ", "+5", "-1", "5.0", "NaN", "Infinity", "99999999999999999999", "", " "),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, -(2 ** 31) - 1, 2 ** 31, 5e-324),
  fc.constantFrom(...RAW_NUMBERS).map((literal) => `${RAW}${literal}`),
);
const hostileJson = fc.oneof(
  hostileText,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 25 }),
  fc.dictionary(fc.string({ maxLength: 5 }), hostileText, { maxKeys: 3 }),
);

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  return resolve(document, document.components.schemas[name] ?? {});
}

/** A value the schema accepts, for the fields a request needs but this run does not fuzz. */
function validValue(document: OpenApiDocument, raw: Schema, name: string): unknown {
  const schema = resolve(document, raw);
  const branch = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (branch) return validValue(document, branch, name);
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "integer" || type === "number") return schema.minimum ?? 1;
  if (type === "boolean") return true;
  if (type === "array") return [];
  if (type === "null") return null;
  if (schema.format === "email" || name === "email" || name === "username") return uniqueEmail();
  // Never the account's real password: a fuzzed password change or deletion must not succeed.
  if (schema.format === "password") return "not the account's password";
  if (schema.format === "uuid") return crypto.randomUUID();
  return `valid ${name}`;
}

/** Text the database could not hold, somewhere in a value, as the transport would deliver it. */
function carriesUnstorableText(value: unknown, where: Field["where"]): boolean {
  if (typeof value === "string") {
    // URL encoding replaces lone surrogates with U+FFFD on the way; only U+0000 survives it.
    return where === "body" ? textProblem(value) !== undefined : value.includes("\u0000");
  }
  if (Array.isArray(value)) return value.some((item) => carriesUnstorableText(item, where));
  return false;
}

function jsonBody(body: Record<string, unknown>): string {
  return JSON.stringify(body).replace(/"\\u0001raw:([^"]*)"/g, "$1");
}

describe("hostile input on every operation of the OpenAPI document", () => {
  it("never answers 5xx, and refuses unstorable text naming the field", { timeout: 120_000 }, async () => {
    const document = await (await api("/openapi.json")).json<OpenApiDocument>();
    const user = await signUp();
    const note = await createNote(user.request);
    const attachment = await upload(user.request, note.id, "bytes");
    const pathValues: Record<string, string> = { id: note.id, attachmentId: attachment.id };
    let operationsFuzzed = 0;
    let requests = 0;

    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const path = template.replace(/\{(\w+)\}/g, (_, name: string) => pathValues[name] ?? crypto.randomUUID());
        const content = operation.requestBody?.content ?? {};
        const jsonSchema = content["application/json"]?.schema;
        const formSchema = content["application/x-www-form-urlencoded"]?.schema;
        const binary = content["application/octet-stream"] !== undefined;
        const bodySchema = resolve(document, jsonSchema ?? formSchema ?? {});
        const bodyWhere = jsonSchema ? "body" : "form";

        const fields: Field[] = [
          ...Object.entries(bodySchema.properties ?? {}).map(([name, schema]) => ({ where: bodyWhere, name, schema })),
          ...(operation.parameters ?? [])
            .filter((parameter) => parameter.in === "query")
            .map((parameter) => ({ where: "query" as const, name: parameter.name, schema: parameter.schema })),
        ] as Field[];
        if (fields.length === 0) continue;
        operationsFuzzed++;

        // Made afresh for each request: an email may be taken by the run before.
        const validBaseline = () =>
          Object.fromEntries(
            (bodySchema.required ?? []).map((name) => [
              name,
              validValue(document, bodySchema.properties?.[name] ?? {}, name),
            ]),
          );

        for (const field of fields) {
          const values = field.where === "body" ? hostileJson : hostileText;
          await fc.assert(
            fc.asyncProperty(values, async (value) => {
              const baseline = validBaseline();
              const headers = new Headers({ "CF-Connecting-IP": uniqueIp() });
              if (operation.security?.length) headers.set("Authorization", `Bearer ${user.tokens.access_token}`);
              const query = new URLSearchParams();
              let body: BodyInit | undefined;
              if (field.where === "query") query.set(field.name, String(value));
              if (jsonSchema) {
                headers.set("Content-Type", "application/json");
                body = jsonBody(field.where === "body" ? { ...baseline, [field.name]: value } : baseline);
              } else if (formSchema) {
                headers.set("Content-Type", "application/x-www-form-urlencoded");
                const fieldsSent = { ...baseline, ...(field.where === "form" ? { [field.name]: value } : {}) };
                body = new URLSearchParams(Object.entries(fieldsSent).map(([name, sent]) => [name, String(sent)]));
              } else if (binary) {
                headers.set("Content-Type", "application/octet-stream");
                body = "bytes";
              }
              const url = `${path}${query.size > 0 ? `?${query}` : ""}`;
              const response = await api(url, { method: method.toUpperCase(), headers, body });
              requests++;
              const label = `${method.toUpperCase()} ${template} ${field.where}.${field.name}=${JSON.stringify(value)}`;
              const answer = await response.text();
              expect(response.status, `${label} -> ${answer}`).toBeLessThan(500);

              if (!carriesUnstorableText(value, field.where)) return;
              if (field.where === "form") {
                expect(response.status, label).toBe(400);
                expect(JSON.parse(answer), label).toMatchObject({
                  error: "invalid_request",
                  error_description: expect.stringContaining(field.name),
                });
              } else {
                expect(response.status, `${label} -> ${answer}`).toBe(422);
                const paths = (JSON.parse(answer) as { errors?: { path: string }[] }).errors?.map(
                  (error) => error.path,
                );
                expect(paths, label).toEqual(
                  expect.arrayContaining([expect.stringMatching(new RegExp(`^${field.where}\\.${field.name}\\b`))]),
                );
              }
            }),
            { numRuns: 12 },
          );
        }
      }
    }
    expect(operationsFuzzed).toBeGreaterThanOrEqual(10);
    expect(requests).toBeGreaterThan(30 * operationsFuzzed);
  });
});

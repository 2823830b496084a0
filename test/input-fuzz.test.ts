import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { textProblem } from "../src/lib/schemas";
import { signUp, uniqueEmail, uniqueIp } from "./support/accounts";
import { api } from "./support/api";
import { upload } from "./support/attachments";
import { captureLogs } from "./support/logs";
import { createNote } from "./support/notes";
import {
  type OpenApiDocument,
  operationFor,
  type Parameter,
  responseDepartures,
  type Schema,
} from "./support/openapi-document";

// Every input the OpenAPI document declares, on every operation, is fed hostile values inside an
// otherwise valid request: each property of a JSON body (nested ones too) and each form field, and
// each query, header and path parameter. The values: NULs, lone surrogates, astral characters,
// numbers far outside any range or in other notations, percent-encodings that are not UTF-8,
// repeated parameters. Nothing may answer 5xx or log an error, and text the database could not
// store must be refused naming the field, and every answer must be one the document describes for its
// operation (support/openapi-document.ts). Everything is derived from the document, so routes added
// later are covered without being listed here. Binary upload bodies are skipped, not their parameters.

/** An input to fuzz: where it travels and its path there (one name, or nested keys in a JSON body). */
interface Field {
  where: "body" | "form" | "query" | "header" | "path";
  path: string[];
}

/** Percent-encoded bytes as a client may send them: not UTF-8, overlong, truncated, or no escape at all. */
interface Raw {
  raw: string;
}
const isRaw = (value: unknown): value is Raw => typeof value === "object" && value !== null && "raw" in value;

// Numbers that JSON can carry but JavaScript cannot hold exactly, written into the body as they are.
const RAW_NUMBERS = ["1e400", "-1e400", "123456789012345678901234567890", "1E-400", "-0"];
const RAW_JSON = "\u0001raw:";

const hostileText = fc.oneof(
  fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}\u0000${b}`),
  fc
    .tuple(fc.string(), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"), fc.string())
    .map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
  fc.constantFrom("0x10", "1e1", " 5 ", "+5", "-1", "5.0", "NaN", "Infinity", "99999999999999999999", "", " "),
);
const rawEncoding = fc
  .constantFrom("%ED%A0%80", "%ED%BF%BF", "%C0%80", "%FF", "%", "%0", "%zz", "a%00b%FF", "%E0%A4", "%F4%90%80%80", "+")
  .map((raw): Raw => ({ raw }));
/** What a query string or a form can carry: text, raw bytes, or the parameter repeated. */
const hostileParameter = fc.oneof(
  { arbitrary: hostileText, weight: 4 },
  { arbitrary: rawEncoding, weight: 1 },
  { arbitrary: fc.array(hostileText, { minLength: 2, maxLength: 3 }), weight: 1 },
);
// Header values are bytes without NUL, CR or LF; what fetch() will send of the ASCII range.
const headerCharacter = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));
const hostileHeader = fc.oneof(
  fc.string({ unit: headerCharacter, maxLength: 60 }),
  fc.constantFrom('"v99999999999999999999"', '"v-1"', '"v0x10"', '"v1e400"', "*", 'W/"v1"', '"v1", *', ", , ,"),
  fc.integer({ min: 1, max: 2000 }).map((count) => Array.from({ length: count }, (_, i) => `"v${i}"`).join(", ")),
);
const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, 2 ** 53 + 2, -(2 ** 31) - 1, 2 ** 31, 5e-324),
  fc.constantFrom(...RAW_NUMBERS).map((literal) => `${RAW_JSON}${literal}`),
);
const hostileJson = fc.oneof(
  hostileText,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 25 }),
  fc.dictionary(fc.string({ maxLength: 5 }), hostileText, { maxKeys: 3 }),
);
const hostilePathSegment = fc.oneof(
  hostileText.filter((value) => value.isWellFormed()).map(encodeURIComponent),
  rawEncoding.map(({ raw }) => raw),
);

function resolve(document: OpenApiDocument, schema: Schema): Schema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  return resolve(document, document.components.schemas[name] ?? {});
}

/** The object shape among a schema and its branches, if it has one. */
function objectShape(document: OpenApiDocument, raw: Schema): Schema | undefined {
  const schema = resolve(document, raw);
  const candidates = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].map((s) => resolve(document, s));
  return candidates.find((candidate) => candidate.properties !== undefined);
}

/** Every property of a JSON body, nested objects and objects inside arrays included (as index 0). */
function bodyFields(document: OpenApiDocument, raw: Schema, path: string[] = []): string[][] {
  const shape = objectShape(document, raw);
  if (shape?.properties === undefined) return [];
  return Object.entries(shape.properties).flatMap(([name, child]) => {
    const resolved = resolve(document, child);
    const items = resolved.items ? [...bodyFields(document, resolved.items, [...path, name, "0"])] : [];
    return [[...path, name], ...bodyFields(document, child, [...path, name]), ...items];
  });
}

/** Values the schema accepts (each enum member, fresh emails and ids), for everything not being fuzzed. */
function validValue(document: OpenApiDocument, raw: Schema, name: string): fc.Arbitrary<unknown> {
  const schema = resolve(document, raw);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map((branch) => validValue(document, branch, name)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const shape = objectShape(document, schema);
  if (shape) return validObject(document, shape);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return fc.constantFrom(...types).chain((type): fc.Arbitrary<unknown> => {
    if (type === "integer" || type === "number") return fc.constant(schema.minimum ?? 1);
    if (type === "boolean") return fc.boolean();
    if (type === "array") return fc.constant([]);
    if (type === "null") return fc.constant(null);
    if (schema.format === "email" || name === "email" || name === "username") return fc.constant(0).map(uniqueEmail);
    // Never the account's real password: a fuzzed password change or deletion must not succeed.
    if (schema.format === "password") return fc.constant("not the account's password");
    if (schema.format === "uuid") return fc.constant(0).map(() => crypto.randomUUID());
    // A fresh key every time: one sent again with another request is refused as such (422 naming the
    // key, docs/api-conventions.md "Safe retries"), which would hide the input under test.
    if (name === "idempotency-key") return fc.constant(0).map(() => crypto.randomUUID());
    return fc.constant(`valid ${name}`);
  });
}

/** An object with its required properties and any of its optional ones. */
function validObject(document: OpenApiDocument, shape: Schema): fc.Arbitrary<Record<string, unknown>> {
  const model = Object.fromEntries(
    Object.entries(shape.properties ?? {}).map(([name, schema]) => [name, validValue(document, schema, name)]),
  );
  return fc.record(model, { requiredKeys: shape.required ?? [] });
}

/** Sets `value` at `path` inside a copy of `target`, making the objects and arrays on the way. */
function withValue(target: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (/^\d+$/.test(head)) {
    const copy: unknown[] = Array.isArray(target) ? [...target] : [];
    copy[Number(head)] = withValue(copy[Number(head)], rest, value);
    return copy;
  }
  const copy: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target) ? { ...target } : {};
  copy[head] = withValue(copy[head], rest, value);
  return copy;
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

function jsonBody(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u0001raw:([^"]*)"/g, "$1");
}

/** `name=value` pairs, encoded as URLSearchParams would, except raw values, which go as they are. */
function encodePairs(values: Record<string, unknown>): string {
  return Object.entries(values)
    .filter(([, value]) => value !== undefined)
    .flatMap(([name, value]) => {
      if (isRaw(value)) return [`${encodeURIComponent(name)}=${value.raw}`];
      const list = Array.isArray(value) ? value : [value];
      return list.map((item) => new URLSearchParams([[name, String(item)]]).toString());
    })
    .join("&");
}

describe("hostile input on every operation of the OpenAPI document", () => {
  const logs = captureLogs();

  it("never answers 5xx, refuses unstorable text naming the field, and answers as documented", {
    timeout: 120_000,
  }, async () => {
    const document = await (await api("/openapi.json")).json<OpenApiDocument>();
    const user = await signUp();
    const note = await createNote(user.request);
    const attachment = await upload(user.request, note.id, "bytes");
    const pathValues: Record<string, string> = { id: note.id, attachmentId: attachment.id };
    const fuzzed = new Set<string>();
    let requests = 0;

    // Deletions last, the deepest path first, so the note, its attachment and the account stay
    // there for every other operation (a fuzzed `If-Match: *` may well delete the note).
    const all = Object.entries(document.paths).flatMap(([template, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ template, method, operation })),
    );
    const deletionsLast = (entry: { method: string; template: string }) =>
      entry.method === "delete" ? 1_000 - entry.template.length : 0;
    all.sort((a, b) => deletionsLast(a) - deletionsLast(b));

    for (const { template, method, operation } of all) {
      const content = operation.requestBody?.content ?? {};
      const jsonSchema = content["application/json"]?.schema;
      const formSchema = content["application/x-www-form-urlencoded"]?.schema;
      // Raw bytes (an upload): any body that is neither JSON nor a form.
      const binary = operation.requestBody !== undefined && !jsonSchema && !formSchema;
      const bodySchema = jsonSchema ?? formSchema;
      const parameters = operation.parameters ?? [];
      const parametersIn = (where: Parameter["in"]) => parameters.filter((parameter) => parameter.in === where);

      const fields: Field[] = [
        // The JSON body as a whole too (path []): an array, a string, a number instead of the object.
        ...(jsonSchema
          ? [[], ...bodyFields(document, jsonSchema)].map((path) => ({ where: "body" as const, path }))
          : []),
        ...(formSchema ? bodyFields(document, formSchema).map((path) => ({ where: "form" as const, path })) : []),
        ...parameters
          .filter((parameter) => parameter.in !== "cookie")
          .map((parameter) => ({ where: parameter.in as Field["where"], path: [parameter.name] })),
      ];

      // Everything but the fuzzed input: a valid body, any of the optional parameters, the real ids.
      const validBody = bodySchema ? validValue(document, bodySchema, "body") : fc.constant(undefined);
      const validParameters = (where: Parameter["in"]) =>
        validObject(document, {
          properties: Object.fromEntries(parametersIn(where).map((parameter) => [parameter.name, parameter.schema])),
          required: parametersIn(where)
            .filter((parameter) => parameter.required)
            .map((parameter) => parameter.name),
        });

      for (const field of fields) {
        const name = field.path[0] ?? "";
        const label = `${method.toUpperCase()} ${template} ${field.where}.${field.path.join(".")}`;
        fuzzed.add(`${method} ${template}`);
        const hostile = {
          body: hostileJson,
          form: hostileParameter,
          query: hostileParameter,
          header: hostileHeader,
          path: hostilePathSegment,
        }[field.where] as fc.Arbitrary<unknown>;

        await fc.assert(
          fc.asyncProperty(
            validBody,
            validParameters("query"),
            validParameters("header"),
            hostile,
            async (baseBody, baseQuery, baseHeaders, value) => {
              const path = template.replace(/\{(\w+)\}/g, (_, param: string) =>
                field.where === "path" && param === name ? String(value) : (pathValues[param] ?? crypto.randomUUID()),
              );
              const query = field.where === "query" ? { ...baseQuery, [name]: value } : baseQuery;
              const headers = new Headers({ "CF-Connecting-IP": uniqueIp() });
              for (const [header, sent] of Object.entries(field.where === "header" ? { [name]: value } : baseHeaders)) {
                if (sent !== undefined) headers.set(header, String(sent));
              }
              if (operation.security?.length) headers.set("Authorization", `Bearer ${user.tokens.access_token}`);
              let body: BodyInit | undefined;
              if (jsonSchema) {
                headers.set("Content-Type", "application/json");
                body = jsonBody(field.where === "body" ? withValue(baseBody, field.path, value) : baseBody);
              } else if (formSchema) {
                headers.set("Content-Type", "application/x-www-form-urlencoded");
                const sent = baseBody as Record<string, unknown>;
                body = encodePairs(field.where === "form" ? { ...sent, [name]: value } : sent);
              } else if (binary) {
                headers.set("Content-Type", "application/octet-stream");
                body = "bytes";
              }
              const search = encodePairs(query);
              const url = `${path}${search ? `?${search}` : ""}`;
              const response = await api(url, { method: method.toUpperCase(), headers, body });
              requests++;
              const sent = `${label}=${JSON.stringify(value)} (${url})`;
              // A fuzzed path segment may leave the route (an empty id): the app's own 404 answers that.
              if (operationFor(document, method, url)?.template === template) {
                expect(await responseDepartures(document, method, url, response), sent).toEqual([]);
              }
              // Decoded by hand: workerd warns when a download's bytes are read with text().
              const answer = new TextDecoder().decode(await response.arrayBuffer());
              expect(response.status, `${sent} -> ${answer}`).toBeLessThan(500);

              if (!carriesUnstorableText(value, field.where)) return;
              if (field.where === "form") {
                expect(response.status, sent).toBe(400);
                expect(JSON.parse(answer), sent).toMatchObject({
                  error: "invalid_request",
                  error_description: expect.stringContaining(name),
                });
              } else if (field.where === "body" || field.where === "query") {
                expect(response.status, `${sent} -> ${answer}`).toBe(422);
                const paths = (JSON.parse(answer) as { errors?: { path: string }[] }).errors?.map(
                  (error) => error.path,
                );
                const where = [field.where, ...field.path].join(".").replaceAll(".", "\\.");
                expect(paths, sent).toEqual(
                  expect.arrayContaining([expect.stringMatching(new RegExp(`^${where}\\b`))]),
                );
              }
            },
          ),
          { numRuns: 25 },
        );
      }
    }
    // Nothing went wrong quietly either: no error was logged (a 5xx's log line, or work after the answer).
    expect(logs.lines.filter((line) => line.level === "error")).toEqual([]);
    expect(fuzzed.size).toBeGreaterThanOrEqual(15);
    expect(requests).toBeGreaterThan(1_000);
  });
});

import { describe, expect, it } from "vitest";
import { breakingChanges } from "../../scripts/contract/breaking-changes.ts";

const bearer = [{ BearerAuth: [] }];
const json = (schema: object) => ({ "application/json": { schema } });
const note = { $ref: "#/components/schemas/Note" };

/** A small API with one of everything the breaking-change check looks at. */
function baseDocument(): Record<string, unknown> {
  const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
  return {
    openapi: "3.1.0",
    info: { title: "Fixture", version: "1.0.0" },
    servers: [{ url: "https://api.example.test" }],
    components: {
      securitySchemes: {
        BearerAuth: { type: "http", scheme: "bearer" },
        ApiKey: { type: "apiKey", in: "header", name: "X-Api-Key" },
      },
      schemas: {
        Note: {
          type: "object",
          properties: {
            id: { type: "string" },
            title: { type: "string" },
            visibility: { type: "string", enum: ["private", "public"] },
          },
          required: ["id", "title", "visibility"],
        },
        CreateNote: {
          type: "object",
          properties: {
            title: { type: "string", maxLength: 200 },
            tags: { type: "array", items: { type: "string" }, maxItems: 20 },
            notebookId: { type: ["string", "null"] },
          },
          required: ["title"],
        },
      },
    },
    paths: {
      "/health": { get: { operationId: "health", security: [], responses: { 200: { description: "Up" } } } },
      "/notes": {
        get: {
          operationId: "listNotes",
          security: bearer,
          parameters: [
            { name: "q", in: "query", description: "Search", schema: { type: "string" } },
            { name: "scope", in: "query", schema: { type: "string", enum: ["all", "own", "shared"] } },
          ],
          responses: { 200: { description: "Notes", content: json({ type: "array", items: note }) } },
        },
        post: {
          operationId: "createNote",
          security: bearer,
          requestBody: { required: true, content: json({ $ref: "#/components/schemas/CreateNote" }) },
          responses: { 201: { description: "Created", content: json(note) } },
        },
      },
      "/notes/{id}": {
        parameters: [id],
        get: {
          operationId: "getNote",
          security: bearer,
          responses: {
            200: { description: "The note", headers: { ETag: { schema: { type: "string" } } }, content: json(note) },
          },
        },
        patch: {
          operationId: "updateNote",
          security: bearer,
          requestBody: { required: true, content: json({ type: "object", properties: { title: { type: "string" } } }) },
          responses: {
            200: {
              description: "Updated",
              content: json({
                type: "object",
                properties: { id: { type: "string" }, version: { type: "integer" } },
                required: ["id", "version"],
              }),
            },
          },
        },
        delete: { operationId: "deleteNote", security: bearer, responses: { 204: { description: "Deleted" } } },
      },
      "/notes/{id}/file": {
        parameters: [id],
        get: {
          operationId: "downloadFile",
          security: bearer,
          responses: {
            200: { description: "Bytes", content: { "application/octet-stream": { schema: {} } } },
            206: { description: "A range", content: { "application/octet-stream": { schema: {} } } },
          },
        },
        put: {
          operationId: "uploadFile",
          security: bearer,
          requestBody: { required: true, content: { "application/octet-stream": { schema: {} } } },
          responses: { 204: { description: "Stored" } },
        },
      },
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object at a JSON pointer (`/` inside a key written `~1`, array items by index), to change in place. */
function at(document: Record<string, unknown>, pointer: string): Record<string, unknown> {
  let value: unknown = document;
  for (const key of pointer
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/"))) {
    if (Array.isArray(value)) value = value[Number(key)];
    else value = isObject(value) ? value[key] : undefined;
  }
  if (!isObject(value)) throw new Error(`no object at ${pointer}`);
  return value;
}

function changed(edit: (document: Record<string, unknown>) => void): string {
  const document = baseDocument();
  edit(document);
  return JSON.stringify(document);
}

const base = JSON.stringify(baseDocument());

// Each edit changes its own part of the fixture, so all of them fit in one revision (one `redocly diff`);
// each must then come out as a line of its own, naming the operation, the change and the rule.
const breaking: { kind: string; edit: (document: Record<string, unknown>) => void; line: RegExp }[] = [
  {
    kind: "a path removed",
    edit: (document) => delete at(document, "/paths")["/health"],
    line: /^\/health: .*\[path-removed\]$/,
  },
  {
    kind: "an operation removed",
    edit: (document) => delete at(document, "/paths/~1notes~1{id}").delete,
    line: /^DELETE \/notes\/{id}: .*\[operation-removed\]$/,
  },
  {
    kind: "an operationId renamed",
    edit: (document) => {
      at(document, "/paths/~1notes/get").operationId = "findNotes";
    },
    line: /^GET \/notes: .*'listNotes' to 'findNotes'.*\[operation-id-changed\]$/,
  },
  {
    kind: "an operationId removed",
    edit: (document) => delete at(document, "/paths/~1notes~1{id}/get").operationId,
    line: /^GET \/notes\/{id}: .*was removed.*\[operation-id-changed\]$/,
  },
  {
    kind: "a 2xx response removed",
    edit: (document) => delete at(document, "/paths/~1notes~1{id}~1file/get/responses")["206"],
    line: /^GET \/notes\/{id}\/file responses\/206: .*\[response-removed\]$/,
  },
  {
    kind: "a response property removed",
    edit: (document) => {
      const updated = at(document, "/paths/~1notes~1{id}/patch/responses/200/content/application~1json/schema");
      updated.properties = { id: { type: "string" } };
      updated.required = ["id"];
    },
    line: /^PATCH \/notes\/{id} responses\/200\S*: .*`version`.*\[property-removed\]$/,
  },
  {
    kind: "a response property made optional",
    edit: (document) => {
      at(document, "/components/schemas/Note").required = ["id", "title"];
    },
    line: /no longer required: `visibility`.*\[required-properties-removed\]$/,
  },
  {
    kind: "a response enum widened",
    edit: (document) => {
      at(document, "/components/schemas/Note/properties/visibility").enum = ["private", "public", "unlisted"];
    },
    line: /gained values: 'unlisted'.*\[enum-values-added\]$/,
  },
  {
    kind: "a response header removed",
    edit: (document) => delete at(document, "/paths/~1notes~1{id}/get/responses/200/headers").ETag,
    line: /^GET \/notes\/{id} responses\/200\/headers\/ETag: .*\[response-header-removed\]$/,
  },
  {
    kind: "a new required query parameter",
    edit: (document) => {
      at(document, "/paths/~1notes~1{id}/get").parameters = [
        { name: "fields", in: "query", required: true, schema: { type: "string" } },
      ];
    },
    line: /^GET \/notes\/{id} parameters\S*: .*`fields` query parameter.*\[parameter-became-required\]$/,
  },
  {
    kind: "a new required header",
    edit: (document) => {
      at(document, "/paths/~1notes~1{id}~1file/get").parameters = [
        { name: "X-Tenant", in: "header", required: true, schema: { type: "string" } },
      ];
    },
    line: /^GET \/notes\/{id}\/file parameters\S*: .*`X-Tenant` header.*\[parameter-became-required\]$/,
  },
  {
    kind: "an optional parameter made required",
    edit: (document) => {
      at(document, "/paths/~1notes/get/parameters/0").required = true;
    },
    line: /^GET \/notes parameters\/0\S*: .*`q`.*\[parameter-became-required\]$/,
  },
  {
    kind: "a request enum narrowed",
    edit: (document) => {
      at(document, "/paths/~1notes/get/parameters/1/schema").enum = ["all", "own"];
    },
    line: /^GET \/notes parameters\/1\/schema: .*'shared'.*\[enum-values-removed\]$/,
  },
  {
    kind: "a new required request body property",
    edit: (document) => {
      const body = at(document, "/paths/~1notes~1{id}/patch/requestBody/content/application~1json/schema");
      body.properties = { title: { type: "string" }, color: { type: "string" } };
      body.required = ["color"];
    },
    line: /^PATCH \/notes\/{id} requestBody\S*: .*`color`.*\[required-properties-added\]$/,
  },
  {
    kind: "an optional request property made required",
    edit: (document) => {
      at(document, "/components/schemas/CreateNote").required = ["title", "tags"];
    },
    line: /^POST \/notes requestBody\S*: .*`tags`.*\[required-properties-added\]$/,
  },
  {
    kind: "a request maxLength narrowed",
    edit: (document) => {
      at(document, "/components/schemas/CreateNote/properties/title").maxLength = 100;
    },
    line: /^POST \/notes requestBody\S*\/title: `maxLength`.*\[schema-constraint-changed\]$/,
  },
  {
    kind: "a request maxItems narrowed",
    edit: (document) => {
      at(document, "/components/schemas/CreateNote/properties/tags").maxItems = 5;
    },
    line: /^POST \/notes requestBody\S*\/tags: `maxItems`.*\[schema-constraint-changed\]$/,
  },
  {
    kind: "a request type narrowed",
    edit: (document) => {
      at(document, "/components/schemas/CreateNote/properties/notebookId").type = "string";
    },
    line: /^POST \/notes requestBody\S*\/notebookId: .*narrowed.*\[schema-type-changed\]$/,
  },
  {
    kind: "a request media type changed",
    edit: (document) => {
      at(document, "/paths/~1notes~1{id}~1file/put/requestBody").content = { "image/png": { schema: {} } };
    },
    line: /^PUT \/notes\/{id}\/file requestBody\S*: .*`application\/octet-stream`.*\[media-type-removed\]$/,
  },
  {
    kind: "a response media type changed",
    edit: (document) => {
      at(document, "/paths/~1notes~1{id}~1file/get/responses/200").content = { "application/pdf": { schema: {} } };
    },
    line: /^GET \/notes\/{id}\/file responses\/200\S*: .*`application\/octet-stream`.*\[media-type-removed\]$/,
  },
  {
    kind: "security changed",
    edit: (document) => {
      at(document, "/paths/~1notes~1{id}/patch").security = [{ ApiKey: [] }];
    },
    line: /^PATCH \/notes\/{id} security\S*: .*`BearerAuth` is no longer accepted.*\[security-requirement-changed\]$/,
  },
];

describe("the breaking-change check (scripts/contract/breaking-changes.ts)", () => {
  it("names every kind of breaking change, with the operation it breaks", async () => {
    const found = await breakingChanges(
      base,
      changed((document) => {
        for (const { edit } of breaking) edit(document);
      }),
    );
    for (const { kind, line } of breaking) {
      expect(
        found.filter((change) => line.test(change)),
        `${kind} in:\n${found.join("\n")}`,
      ).not.toHaveLength(0);
    }
  });

  it("lets compatible changes through", async () => {
    const revision = changed((document) => {
      at(document, "/paths")["/notebooks"] = {
        get: { operationId: "listNotebooks", security: bearer, responses: { 200: { description: "Notebooks" } } },
      };
      at(document, "/paths/~1notes/get").parameters = [
        // Rewritten words and a new example: Redocly alone would call `q` removed (annotations are left out).
        {
          name: "q",
          in: "query",
          description: "Full-text search over title and content; quotes, -word and `or` work as on the web.",
          schema: { type: "string", example: "milk -oat" },
        },
        { name: "scope", in: "query", schema: { type: "string", enum: ["all", "own", "shared", "public"] } },
        { name: "tag", in: "query", schema: { type: "string" } },
      ];
      at(document, "/components/schemas/CreateNote/properties").pinned = { type: "boolean" };
      at(document, "/components/schemas/CreateNote/properties/title").maxLength = 500;
      at(document, "/components/schemas/CreateNote").required = [];
      at(document, "/components/schemas/Note/properties").pinned = { type: "boolean" };
      at(document, "/components/schemas/Note").required = ["id", "title", "visibility", "pinned"];
      at(document, "/paths/~1notes~1{id}/get/responses")["404"] = { description: "No such note" };
      at(document, "/paths/~1health/get").description = "Says whether the API is up.";
    });
    expect(await breakingChanges(base, revision)).toEqual([]);
  });

  it("refuses to rate a document that is not valid OpenAPI, saying why", async () => {
    const revision = changed((document) => {
      at(document, "/paths/~1notes/post/responses/201/content/application~1json").schema = {
        $ref: "#/components/schemas/Missing",
      };
    });
    await expect(breakingChanges(base, revision)).rejects.toThrow(/redocly diff failed:[\s\S]*Can't resolve \$ref/);
  });
});

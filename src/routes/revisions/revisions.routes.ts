import { z } from "@hono/zod-openapi";
import { headers, problems } from "../../lib/openapi";
import { ifMatchHeader, PageQuery, pageSchema, queryInteger, uuidParam } from "../../lib/schemas";
import { signedInRoute } from "../contracts";
import { NoteIdParam, NoteSchema } from "../notes/note.schemas";

const tags = ["Revisions"];

export const RevisionSchema = z
  .object({
    version: z.number().int().openapi({ description: "The note's version this was" }),
    title: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    editedBy: z.uuid().nullable().openapi({ description: "Who made this version; null once their account is gone" }),
    createdAt: z.iso.datetime().openapi({ description: "When this version was made" }),
  })
  .openapi("Revision");

const RevisionParams = z.object({
  id: uuidParam("id"),
  version: queryInteger({ min: 1, max: 2_147_483_647 }).openapi({ param: { name: "version", in: "path" } }),
});

const HISTORY =
  "Every change to a note's title, content or tags keeps the version it replaced. Edits by one person within a " +
  "minute merge into one revision; the newest 100 per note are kept.";

export const listRevisions = signedInRoute(
  {
    operationId: "listRevisions",
    method: "get",
    path: "/v1/notes/{id}/revisions",
    tags,
    summary: "Earlier versions of a note, newest first",
    description: HISTORY,
    request: { params: NoteIdParam, query: PageQuery },
    responses: {
      200: {
        description: "A page",
        content: {
          "application/json": {
            schema: pageSchema(RevisionSchema, "RevisionPage"),
          },
        },
      },
    },
  },
  { scope: "notes:read", permission: "revision.read" },
);

export const getRevision = signedInRoute(
  {
    operationId: "getRevision",
    method: "get",
    path: "/v1/notes/{id}/revisions/{version}",
    tags,
    summary: "One earlier version of a note",
    request: { params: RevisionParams },
    responses: {
      200: { description: "The revision", content: { "application/json": { schema: RevisionSchema } } },
    },
  },
  { scope: "notes:read", permission: "revision.read" },
);

export const restoreRevision = signedInRoute(
  {
    operationId: "restoreRevision",
    method: "post",
    path: "/v1/notes/{id}/revisions/{version}/restore",
    tags,
    summary: "Make an earlier version current again, as a new version",
    description: "The version it replaces is kept as a revision like any change's.",
    request: {
      params: RevisionParams,
      headers: ifMatchHeader("note"),
    },
    responses: {
      200: {
        description: "The note",
        content: { "application/json": { schema: NoteSchema } },
        headers: headers("ETag"),
      },
      ...problems(412),
    },
  },
  { scope: "notes:write", permission: "revision.restore" },
);

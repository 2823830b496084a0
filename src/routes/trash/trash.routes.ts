import { problems } from "../../lib/openapi";
import { ifMatchHeader, PageQuery, pageSchema } from "../../lib/schemas";
import { signedInRoute } from "../contracts";
import { NoteIdParam, NoteSchema } from "../notes/note.schemas";

const tags = ["Trash"];
const ifMatch = ifMatchHeader("note");

export const listTrash = signedInRoute(
  {
    operationId: "listTrash",
    method: "get",
    path: "/v1/trash",
    tags,
    summary: "Trashed notes the caller may restore or purge, most recently trashed first",
    description:
      "Notes an editor or owner of their notebook (a loose note's owner) moved to the trash. Purged by the sweep " +
      "after TRASH_RETENTION_DAYS (30).",
    request: { query: PageQuery },
    responses: {
      200: {
        description: "A page",
        content: {
          "application/json": {
            schema: pageSchema(NoteSchema, "TrashPage"),
          },
        },
      },
    },
  },
  { scope: "notes:read" },
);

export const restoreNote = signedInRoute(
  {
    operationId: "restoreNote",
    method: "post",
    path: "/v1/trash/{id}/restore",
    tags,
    summary: "Put a trashed note back where it was",
    description:
      "Back into its notebook (or loose) with its attachments, publication and share links. Only someone who " +
      "can still edit it there may: a member who lost that role cannot, the notebook's editors can.",
    request: { params: NoteIdParam, headers: ifMatch },
    responses: { 204: { description: "Restored" }, ...problems(412) },
  },
  { scope: "notes:write", permission: "note.restore" },
);

export const purgeNote = signedInRoute(
  {
    operationId: "purgeNote",
    method: "delete",
    path: "/v1/trash/{id}",
    tags,
    summary: "Delete a trashed note for good, attachments' bytes included",
    request: { params: NoteIdParam, headers: ifMatch },
    responses: { 204: { description: "Purged" }, ...problems(412) },
  },
  { scope: "notes:write", permission: "note.purge" },
);

import { z } from "@hono/zod-openapi";
import { CHANGE_ACTIONS, CHANGE_KINDS } from "../../db/schema";
import { PageQuery } from "../../lib/schemas";

export const ChangeSchema = z
  .object({
    kind: z.enum(CHANGE_KINDS),
    id: z.uuid().openapi({ description: "The note's, notebook's or attachment's id" }),
    noteId: z.uuid().nullable().openapi({ description: "An attachment's note; null for the other kinds" }),
    notebookId: z
      .uuid()
      .nullable()
      .openapi({ description: "The notebook whose members this change went to; null for the caller's own scope" }),
    action: z.enum(CHANGE_ACTIONS).openapi({
      description:
        "`removed` and `purged`: drop it (no longer readable, or gone); a removed or purged notebook takes its " +
        "notes with it. Otherwise fetch it when you need its state: created, updated, trashed (it leaves lists), " +
        "restored, `added` (became readable, or for a notebook the caller's role in it changed: list its notes).",
    }),
    version: z.int().nullable().openapi({ description: "The item's version after the change, where it has one" }),
    at: z.iso.datetime(),
  })
  .openapi("Change");

export const ChangesQuery = PageQuery.extend({
  cursor: PageQuery.shape.cursor.openapi({
    description: "`cursor` from the previous answer; without it, the answer is the current position, with no items",
  }),
});

export const ChangesPageSchema = z
  .object({
    items: z.array(ChangeSchema),
    cursor: z.string().openapi({ description: "Where the next request starts: always send it back" }),
    hasMore: z.boolean().openapi({ description: "More changes are waiting now: ask again at once" }),
  })
  .openapi("ChangesPage");

export type Change = z.infer<typeof ChangeSchema>;

import { z } from "@hono/zod-openapi";
import { VOTE_VALUES } from "../../db/schema";
import { PageQuery, pageSchema } from "../../lib/schemas";
import { NoteAttachmentSchema } from "../attachments/attachment.schemas";
import { ListNotesQuery } from "../notes/note.schemas";

const Vote = z.union(VOTE_VALUES.map((value) => z.literal(value)) as [z.ZodLiteral<1>, z.ZodLiteral<-1>]);

export const PublicNoteSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    author: z.object({ displayName: z.string().nullable() }).openapi({ description: "Only the display name" }),
    publishedAt: z.iso.datetime(),
    score: z.number().int().openapi({ description: "upvotes - downvotes" }),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
    myVote: Vote.nullable().openapi({ description: "The signed-in caller's vote; null when anonymous or not voted" }),
    attachmentCount: z.number().int(),
  })
  .openapi("PublicNote");

export const PublicNoteDetailSchema = PublicNoteSchema.extend({
  attachments: z.array(NoteAttachmentSchema),
}).openapi("PublicNoteDetail");

export const PublicFeedSchema = pageSchema(PublicNoteSchema, "PublicFeed");

const { q, tag } = ListNotesQuery.shape;
export const PublicFeedQuery = PageQuery.extend({
  sort: z
    .enum(["new", "top"])
    .default("new")
    .openapi({
      description:
        "`new`: newest first publication first. `top`: highest score first, then newest. A `top` cursor holds the " +
        "score it stopped at: a note whose score crosses it while you page is seen twice or not at all.",
    }),
  q,
  tag,
});

export const VoteSchema = z.strictObject({ value: Vote }).openapi("Vote");

export const VoteTotalsSchema = z
  .object({
    score: z.number().int(),
    upvotes: z.number().int(),
    downvotes: z.number().int(),
    myVote: Vote.nullable(),
  })
  .openapi("VoteTotals");

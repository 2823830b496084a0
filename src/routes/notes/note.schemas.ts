import { z } from "@hono/zod-openapi";
import { NOTE_LIMITS, NOTE_SCOPES, NOTE_SORTS, ROLES, VISIBILITIES } from "../../db/schema";
import { PageQuery, pageSchema, patchSchema, queryBoolean, text, trimmedText, uuidParam } from "../../lib/schemas";

const { titleLength, contentLength, tagLength, tags: maxTags } = NOTE_LIMITS;

export const NoteSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    pinned: z.boolean(),
    archived: z.boolean(),
    visibility: z.enum(VISIBILITIES),
    notebookId: z.uuid().nullable().openapi({ description: "The notebook it is in; null: a loose note" }),
    ownerId: z.uuid().openapi({ description: "Who created it; stays the same when it moves between notebooks" }),
    version: z.number().int().openapi({ description: "Incremented by every change; the ETag is made from it" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    attachmentCount: z.number().int(),
    trashedAt: z.iso.datetime().nullable().openapi({ description: "When it went to the trash; null outside it" }),
    publishedAt: z.iso.datetime().nullable().openapi({
      description: "When it was first made public; kept when unpublished. Null: never published",
    }),
    role: z.enum(ROLES).openapi({
      description: "The caller's role on it: a loose note's owner is `owner`; in a notebook, the caller's role there",
    }),
  })
  .openapi("Note");

export type Note = z.infer<typeof NoteSchema>;

const Title = trimmedText({ min: 1, max: titleLength }).openapi({ example: "Groceries" });
const Content = text().max(contentLength).openapi({ example: "Milk, eggs, flour" });

/** Trimmed, lower-cased, de-duplicated; 1 to 40 characters each, at most 20. */
const Tag = trimmedText({ min: 1, max: tagLength, lowerCase: true });
// Up to 100 may be sent, as long as at most 20 remain once duplicates are dropped.
const MAX_SENT_TAGS = 100;
const Tags = z
  .array(Tag)
  .max(MAX_SENT_TAGS)
  .transform((tags) => [...new Set(tags)])
  .pipe(z.array(z.string()).max(maxTags, `at most ${maxTags} distinct tags`))
  .openapi({
    description: `At most ${maxTags} distinct tags once trimmed and lower-cased (${MAX_SENT_TAGS} sent at most); duplicates are dropped`,
    example: ["home", "errands"],
  });

const NotebookId = z
  .uuid()
  .nullable()
  .openapi({
    description:
      "The notebook to put it in (you need to be its editor or owner); null: loose. Moving a note out of or " +
      "between notebooks needs an editing role at both ends, and only a note's own owner may make it loose. " +
      "Its attachments' bytes move to the quota of whoever pays at the destination (the notebook's owner, or " +
      "the note's owner when loose): 413 `urn:cloud-notes:problem:storage-quota` when they do not fit.",
  });
const Visibility = z.enum(VISIBILITIES).openapi({
  description:
    "`public` publishes the note at /v1/public/notes (anyone may read it, signed-in users vote); `private` " +
    "unpublishes it, keeping its votes hidden until it is published again. Only the notebook's owner (a loose " +
    "note's owner) or the note's own author while an editor may change it (403 otherwise).",
});

export const CreateNoteSchema = z
  .strictObject({
    title: Title,
    content: Content,
    tags: Tags.optional(),
    pinned: z.boolean().optional(),
    notebookId: NotebookId.optional(),
  })
  .openapi("CreateNote");

export const UpdateNoteSchema = patchSchema(
  {
    title: Title.optional(),
    content: Content.optional(),
    tags: Tags.optional(),
    pinned: z.boolean().optional(),
    archived: z.boolean().optional(),
    notebookId: NotebookId.optional(),
    visibility: Visibility.optional(),
  },
  "UpdateNote",
);

export type NotePatch = z.infer<typeof UpdateNoteSchema>;

export const ListNotesQuery = PageQuery.extend({
  sort: z.enum(NOTE_SORTS).default("updated"),
  q: trimmedText({ min: 1, max: 200 }, "Full-text search over title and content").optional(),
  tag: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value) => (value === undefined ? [] : [value].flat()))
    .pipe(z.array(Tag).max(maxTags))
    .openapi({
      description: `Repeatable, at most ${maxTags}: notes carrying every tag given (trimmed and lower-cased)`,
      type: "array",
      items: { type: "string", minLength: 1, maxLength: tagLength, pattern: "\\S" },
      maxItems: maxTags,
    }),
  pinned: queryBoolean().optional(),
  archived: queryBoolean().default(false).openapi({ default: false }),
  notebookId: z.uuid().optional().openapi({ description: "Only notes in this notebook" }),
  scope: z
    .enum(NOTE_SCOPES)
    .default("all")
    .openapi({
      description:
        "`own`: notes whose role is `owner` (loose notes, and notes in your notebooks); " +
        "`shared`: notes in notebooks shared with you; `all`: both",
    }),
});

export type ListNotesFilters = z.infer<typeof ListNotesQuery>;

export const NotePageSchema = pageSchema(NoteSchema, "NotePage");

export const NoteIdParam = z.object({ id: uuidParam("id") });

import { z } from "@hono/zod-openapi";
import { MAX_ATTACHMENTS_PER_NOTE } from "../../db/schema";
import { text, uuidParam } from "../../lib/schemas";
import { NoteIdParam } from "../notes/note.schemas";

export const AttachmentSchema = z
  .object({
    id: z.uuid(),
    noteId: z.uuid(),
    filename: z.string(),
    contentType: z.string().openapi({ example: "image/png" }),
    size: z.number().int().openapi({ description: "Bytes" }),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Attachment");

export type Attachment = z.infer<typeof AttachmentSchema>;

/** An attachment listed within its note (a public or shared one), so without noteId. */
export const NoteAttachmentSchema = AttachmentSchema.omit({ noteId: true }).openapi("NoteAttachment");

export const AttachmentListSchema = z
  .object({
    items: z.array(AttachmentSchema),
    nextCursor: z.null().openapi({ description: `Always null: a note has at most ${MAX_ATTACHMENTS_PER_NOTE}` }),
  })
  .openapi("AttachmentList");

export const AttachmentParams = NoteIdParam.extend({ attachmentId: uuidParam("attachmentId") });

export const UploadQuery = z.object({
  filename: text()
    .max(1024)
    .optional()
    .openapi({
      description:
        "The file's name, for a raw upload (or send Content-Disposition). What is kept is its last path " +
        "segment without control characters, trimmed: 1 to 255 characters, 422 otherwise. Without a name the " +
        'file is called "attachment".',
      example: "notes.pdf",
    }),
});

import { z } from "@hono/zod-openapi";
import { SHARE_LINK_LIMITS } from "../../db/schema";
import { expiryWithin, text, uuidParam } from "../../lib/schemas";
import { NoteAttachmentSchema } from "../attachments/attachment.schemas";
import { NoteIdParam } from "../notes/note.schemas";

const { activePerNote, lifetimeDays } = SHARE_LINK_LIMITS;

export const ShareLinkSchema = z
  .object({
    id: z.uuid(),
    expiresAt: z.iso.datetime().nullable().openapi({ description: "null: until revoked" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("ShareLink");

export type ShareLink = z.infer<typeof ShareLinkSchema>;

export const NewShareLinkSchema = z
  .object({
    id: z.uuid(),
    token: z.string().openapi({ description: "256 random bits, base64url: shown this once, stored only hashed" }),
    url: z.url().openapi({ description: "Where anyone holding it reads the note, without an account" }),
    expiresAt: ShareLinkSchema.shape.expiresAt,
    createdAt: z.iso.datetime(),
  })
  .openapi("NewShareLink");

export type NewShareLink = z.infer<typeof NewShareLinkSchema>;

const ExpiresAt = expiryWithin(lifetimeDays).openapi({
  description: `When the link stops working: in the future, at most ${lifetimeDays} days ahead`,
});

export const CreateShareLinkSchema = z
  .strictObject({ expiresAt: ExpiresAt.optional() })
  .openapi("CreateShareLink", { description: "Without `expiresAt`, the link works until it is revoked" });

export const ShareLinkListSchema = z
  .object({
    items: z.array(ShareLinkSchema),
    nextCursor: z.null().openapi({ description: `Always null: a note has at most ${activePerNote} live links` }),
  })
  .openapi("ShareLinkList");

export const SharedNoteSchema = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    tags: z.array(z.string()),
    author: z.object({ displayName: z.string().nullable() }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    attachments: z.array(NoteAttachmentSchema),
  })
  .openapi("SharedNote", { description: "A note read through a share link: read-only, its author by name only" });

export type SharedNote = z.infer<typeof SharedNoteSchema>;

export const ShareLinkParams = NoteIdParam.extend({ linkId: uuidParam("linkId") });

// A malformed token answers the same 404 as an unknown one (see share-links.index.ts).
const Token = text()
  .max(64)
  .openapi({
    param: { name: "token", in: "path" },
    description: "The token from the link's creation (43 characters of base64url)",
    pattern: "^[A-Za-z0-9_-]{43}$",
  });
export const SharedParam = z.object({ token: Token });
export const SharedAttachmentParams = SharedParam.extend({ attachmentId: uuidParam("attachmentId") });

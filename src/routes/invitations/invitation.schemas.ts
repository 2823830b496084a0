import { z } from "@hono/zod-openapi";
import { GRANTABLE_ROLES } from "../../db/schema";
import { pageSchema, uuidParam } from "../../lib/schemas";
import { EmailSchema } from "../../sessions/credentials";
import { NotebookIdParam } from "../notebooks/notebook.schemas";

export const InvitationSchema = z
  .object({
    id: z.uuid(),
    notebookId: z.uuid(),
    email: z.email(),
    role: z.enum(GRANTABLE_ROLES),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .openapi("Invitation");

export type Invitation = z.infer<typeof InvitationSchema>;

export const CreateInvitationSchema = z
  .strictObject({ email: EmailSchema, role: z.enum(GRANTABLE_ROLES) })
  .openapi("CreateInvitation");

export const InvitationListSchema = z
  .object({
    items: z.array(InvitationSchema),
    nextCursor: z.null().openapi({ description: "Always null: pending invitations are few enough for one page" }),
  })
  .openapi("InvitationList");

/** An invitation as the person it is addressed to sees it. */
export const ReceivedInvitationSchema = z
  .object({
    id: z.uuid(),
    role: z.enum(GRANTABLE_ROLES),
    notebook: z.object({ id: z.uuid(), name: z.string() }),
    invitedBy: z.object({ displayName: z.string().nullable() }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
  })
  .openapi("ReceivedInvitation");

export type ReceivedInvitation = z.infer<typeof ReceivedInvitationSchema>;

export const ReceivedInvitationPageSchema = pageSchema(ReceivedInvitationSchema, "ReceivedInvitationPage");

export const InvitationParams = NotebookIdParam.extend({ invitationId: uuidParam("invitationId") });
export const InvitationIdParam = z.object({ id: uuidParam("id") });

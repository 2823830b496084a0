import { z } from "@hono/zod-openapi";
import { GRANTABLE_ROLES, NOTEBOOK_LIMITS, ROLES } from "../../db/schema";
import { pageSchema, patchSchema, text, trimmedText, uuidParam } from "../../lib/schemas";

const { nameLength, descriptionLength } = NOTEBOOK_LIMITS;

export const NotebookSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    ownerId: z.uuid(),
    role: z.enum(ROLES).openapi({ description: "The caller's role on the notebook" }),
    memberCount: z.number().int().openapi({ description: "Members, the owner included" }),
    version: z.number().int().openapi({ description: "Incremented by every change; the ETag is made from it" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Notebook");

export type Notebook = z.infer<typeof NotebookSchema>;

const Name = trimmedText({ min: 1, max: nameLength }).openapi({ example: "Recipes" });
const Description = text().max(descriptionLength).openapi({ example: "What we cook on Sundays" });

export const CreateNotebookSchema = z
  .strictObject({ name: Name, description: Description.optional() })
  .openapi("CreateNotebook");

export const UpdateNotebookSchema = patchSchema(
  { name: Name.optional(), description: Description.optional() },
  "UpdateNotebook",
);

export const NotebookPageSchema = pageSchema(NotebookSchema, "NotebookPage");

export const MemberSchema = z
  .object({
    userId: z.uuid(),
    displayName: z.string().nullable(),
    email: z.email(),
    role: z.enum(ROLES),
    addedAt: z.iso.datetime(),
  })
  .openapi("Member");

export const MemberPageSchema = z
  .object({
    items: z.array(MemberSchema),
    nextCursor: z.null().openapi({ description: "Always null: members are few enough for one page" }),
  })
  .openapi("MemberPage");

export const UpdateMemberSchema = z.strictObject({ role: z.enum(GRANTABLE_ROLES) }).openapi("UpdateMember");

export const NotebookIdParam = z.object({ id: uuidParam("id") });
export const MemberParams = z.object({ id: uuidParam("id"), userId: uuidParam("userId") });

import { z } from "@hono/zod-openapi";
import { API_SCOPE_NAMES, API_SCOPES, API_TOKEN_LIMITS, NOTEBOOK_TOKEN_SCOPES } from "../../db/schema";
import { expiryWithin, text, trimmedText, uuidParam } from "../../lib/schemas";

const { lifetimeDays, nameLength, perUser } = API_TOKEN_LIMITS;

const Scope = z.enum(API_SCOPE_NAMES).openapi({
  description: Object.entries(API_SCOPES)
    .map(([scope, what]) => `\`${scope}\`: ${what}`)
    .join("; "),
});

export const ApiTokenSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scopes: z.array(Scope),
    notebookId: z.uuid().nullable().openapi({ description: "The one notebook it reaches; null: all its user can" }),
    lastFour: z.string().openapi({ description: "The token's last four characters, to recognise it by" }),
    expiresAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: "To the minute; null: never used" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("ApiToken");

export type ApiToken = z.infer<typeof ApiTokenSchema>;

export const NewApiTokenSchema = ApiTokenSchema.extend({
  token: z.string().openapi({
    description: "`cn_pat_`, 30 random characters and a 6-character checksum: shown this once, stored only hashed",
    example: "cn_pat_q3Xb9LmA0vT7kR2pW5yZ8cN1dF4gH6jK0vB3s2",
  }),
}).openapi("NewApiToken");

const ExpiresAt = expiryWithin(lifetimeDays).openapi({
  description: `When it stops working: required, at most ${lifetimeDays} days ahead`,
});

export const CreateApiTokenSchema = z
  .strictObject({
    name: trimmedText({ min: 1, max: nameLength }).openapi({ example: "Nightly backup script" }),
    scopes: z
      .array(Scope)
      .min(1)
      .refine((scopes) => new Set(scopes).size === scopes.length, "must not name a scope twice"),
    expiresAt: ExpiresAt,
    password: text().min(1).max(1024).openapi({
      description: "Your password, again: an access token alone cannot make a credential that outlives it",
    }),
    notebookId: z
      .uuid()
      .optional()
      .openapi({
        description:
          "Only this notebook (you must belong to it): its notes, attachments, members and webhooks, nothing else. " +
          `Such a token holds only ${NOTEBOOK_TOKEN_SCOPES.join(", ")}`,
      }),
  })
  .refine(
    (token) => token.notebookId === undefined || token.scopes.every((scope) => NOTEBOOK_TOKEN_SCOPES.includes(scope)),
    { path: ["scopes"], message: `with notebookId, only ${NOTEBOOK_TOKEN_SCOPES.join(", ")}` },
  )
  .openapi("CreateApiToken");

export const ApiTokenListSchema = z
  .object({
    items: z.array(ApiTokenSchema),
    nextCursor: z.null().openapi({ description: `Always null: a user has at most ${perUser}` }),
  })
  .openapi("ApiTokenList");

export const ApiTokenIdParam = z.object({ id: uuidParam("id") });

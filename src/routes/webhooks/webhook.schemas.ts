import { z } from "@hono/zod-openapi";
import { WEBHOOK_EVENTS, WEBHOOK_LIMITS } from "../../db/schema";
import { pageSchema, patchSchema, text, uuidParam } from "../../lib/schemas";

const Events = z
  .array(z.enum(WEBHOOK_EVENTS))
  .min(1)
  .max(WEBHOOK_EVENTS.length)
  .refine((events) => new Set(events).size === events.length, "must not name an event twice")
  .openapi({ description: "The event types sent: a change's kind and action, as the change feed reports them" });

export const WebhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    notebookId: z.uuid().nullable().openapi({
      description: "The notebook whose changes it gets; null: everything its owner can read, as their change feed",
    }),
    enabled: z.boolean(),
    disabledReason: z.string().nullable().openapi({
      description:
        "Why it was turned off automatically (most deliveries failing for a day); null while on or turned off by hand",
    }),
    previousSecretExpiresAt: z.iso.datetime().nullable().openapi({
      description: "After a rotation: until when the old secret still signs beside the new one",
    }),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Webhook");

export type Webhook = z.infer<typeof WebhookSchema>;

const Secret = z.string().openapi({
  description: "`whsec_` and the base64 of 32 random bytes: the HMAC key of Standard Webhooks. Shown only here",
  example: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
});

export const NewWebhookSchema = WebhookSchema.extend({ secret: Secret }).openapi("NewWebhook");

const Url = text().max(WEBHOOK_LIMITS.urlLength).openapi({
  description: "Where deliveries are POSTed: https, a public host (no private, loopback or metadata address)",
  example: "https://hooks.example.com/cloud-notes",
});
const Description = text().max(WEBHOOK_LIMITS.descriptionLength);

export const CreateWebhookSchema = z
  .strictObject({
    url: Url,
    events: Events.optional().openapi({ description: "Default: every event type" }),
    notebookId: z.uuid().optional().openapi({ description: "Only this notebook's changes; you must own it" }),
    description: Description.optional(),
  })
  .openapi("CreateWebhook");

export const UpdateWebhookSchema = patchSchema(
  {
    url: Url.optional(),
    events: Events.optional(),
    description: Description.optional(),
    enabled: z.boolean().optional().openapi({
      description: "true turns it on again: it goes on from where it stopped, every change since included",
    }),
  },
  "UpdateWebhook",
);

export const WebhookListSchema = z
  .object({
    items: z.array(WebhookSchema),
    nextCursor: z.null().openapi({ description: `Always null: a user has at most ${WEBHOOK_LIMITS.endpointsPerUser}` }),
  })
  .openapi("WebhookList");

export const RotatedSecretSchema = z
  .object({ secret: Secret, previousSecretExpiresAt: z.iso.datetime() })
  .openapi("RotatedWebhookSecret");

const AttemptResult = {
  ok: z.boolean().openapi({ description: "The receiver answered 2xx in time" }),
  status: z.number().int().nullable().openapi({ description: "The receiver's status; null when none came" }),
  durationMs: z.number().int(),
  error: z.string().nullable().openapi({ description: "Why it failed, when the status does not say it" }),
};

export const PingResultSchema = z.object({ webhookId: z.string(), ...AttemptResult }).openapi("WebhookPingResult");

export const WebhookAttemptSchema = z
  .object({
    id: z.uuid(),
    deliveryId: z.uuid().nullable().openapi({ description: "What to redeliver; null for a ping" }),
    webhookId: z.string().openapi({ description: "The `webhook-id` sent: the same on every try of one event" }),
    type: z.string().openapi({ example: "note.updated" }),
    at: z.iso.datetime(),
    ...AttemptResult,
  })
  .openapi("WebhookAttempt");

export const WebhookAttemptPageSchema = pageSchema(WebhookAttemptSchema, "WebhookAttemptPage");

export const WebhookIdParam = z.object({ id: uuidParam("id") });
export const DeliveryParams = WebhookIdParam.extend({ deliveryId: uuidParam("deliveryId") });

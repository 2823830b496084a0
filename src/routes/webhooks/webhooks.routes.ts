import type { z } from "@hono/zod-openapi";
import { WEBHOOK_LIMITS } from "../../db/schema";
import { header, headers, problem, problems } from "../../lib/openapi";
import { IfNoneMatchHeader, ifMatchHeader, PageQuery } from "../../lib/schemas";
import { SMALL_BODY_BYTES } from "../../middleware/body-limit";
import { signedInRoute } from "../contracts";
import {
  CreateWebhookSchema,
  DeliveryParams,
  NewWebhookSchema,
  PingResultSchema,
  RotatedSecretSchema,
  UpdateWebhookSchema,
  WebhookAttemptPageSchema,
  WebhookIdParam,
  WebhookListSchema,
  WebhookSchema,
} from "./webhook.schemas";

const tags = ["Webhooks"];
const webhookJson = { "application/json": { schema: WebhookSchema } };
const ifMatch = ifMatchHeader("webhook");
const body = <S extends z.ZodType>(schema: S) => ({ content: { "application/json": { schema } }, required: true });
const secretOnce = {
  "Cache-Control": header("Cache-Control", {
    required: true,
    description: "`no-store`: the secret is in this answer only",
  }),
};

export const createWebhook = signedInRoute(
  {
    operationId: "createWebhook",
    method: "post",
    path: "/v1/webhooks",
    tags,
    summary: "Subscribe a URL to changes, signed per Standard Webhooks",
    description:
      "From now on, each change the owner's feed reports (GET /v1/changes), or the notebook's with `notebookId`, " +
      "is POSTed to the URL as `{type, timestamp, data}` (data: the change) with `webhook-id`, `webhook-timestamp` " +
      "and `webhook-signature` (HMAC-SHA256 with the secret, which is in this answer only). A subject's events " +
      "(a note with its attachments, a notebook) arrive in order; failed ones are retried for about 3 days. " +
      `422 names a URL that is not https or not public. 409 \`urn:cloud-notes:problem:webhook-limit\`: you have ${WEBHOOK_LIMITS.endpointsPerUser} already.`,
    request: { body: body(CreateWebhookSchema) },
    responses: {
      201: {
        description: "Created; its secret is in this answer only",
        content: { "application/json": { schema: NewWebhookSchema } },
        headers: { ...secretOnce, ETag: header("ETag") },
      },
    },
  },
  // The secret is in this one answer, which a replay would have to keep: a retry makes a second endpoint.
  {
    scope: "webhooks:admin",
    maxBodyBytes: SMALL_BODY_BYTES,
    permission: "webhook.manage",
    ignoresIdempotencyKey: true,
  },
);

export const listWebhooks = signedInRoute(
  {
    operationId: "listWebhooks",
    method: "get",
    path: "/v1/webhooks",
    tags,
    summary: "Your webhook endpoints, newest first, without their secrets",
    responses: {
      200: { description: "Every endpoint", content: { "application/json": { schema: WebhookListSchema } } },
    },
  },
  { scope: "webhooks:admin" },
);

export const getWebhook = signedInRoute(
  {
    operationId: "getWebhook",
    method: "get",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "One of your webhook endpoints, without its secret",
    request: { params: WebhookIdParam, headers: IfNoneMatchHeader },
    responses: {
      200: { description: "The endpoint", content: webhookJson, headers: headers("ETag") },
      304: { description: "Not modified since the ETag in If-None-Match", headers: headers("ETag") },
    },
  },
  { scope: "webhooks:admin" },
);

export const updateWebhook = signedInRoute(
  {
    operationId: "updateWebhook",
    method: "patch",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Change an endpoint's URL, events or description, or turn it off or on",
    request: { params: WebhookIdParam, headers: ifMatch, body: body(UpdateWebhookSchema) },
    responses: {
      200: { description: "The endpoint as it is now", content: webhookJson, headers: headers("ETag") },
      ...problems(412),
    },
  },
  { scope: "webhooks:admin", maxBodyBytes: SMALL_BODY_BYTES },
);

export const deleteWebhook = signedInRoute(
  {
    operationId: "deleteWebhook",
    method: "delete",
    path: "/v1/webhooks/{id}",
    tags,
    summary: "Delete an endpoint: nothing more is sent to it, pending deliveries included",
    request: { params: WebhookIdParam, headers: ifMatch },
    responses: { 204: { description: "Deleted" }, ...problems(412) },
  },
  { scope: "webhooks:admin" },
);

export const rotateWebhookSecret = signedInRoute(
  {
    operationId: "rotateWebhookSecret",
    method: "post",
    path: "/v1/webhooks/{id}/secret",
    tags,
    summary: "A new secret; the old one keeps signing beside it for a day",
    description: `For ${WEBHOOK_LIMITS.previousSecretHours} hours every delivery carries two signatures, one per secret, so the receiver can switch whenever it likes.`,
    request: { params: WebhookIdParam },
    responses: {
      200: {
        description: "The new secret, in this answer only",
        content: { "application/json": { schema: RotatedSecretSchema } },
        headers: secretOnce,
      },
    },
  },
  { scope: "webhooks:admin", ignoresIdempotencyKey: true },
);

export const pingWebhook = signedInRoute(
  {
    operationId: "pingWebhook",
    method: "post",
    path: "/v1/webhooks/{id}/ping",
    tags,
    summary: "Send a signed `webhook.ping` event now and answer how the receiver took it",
    description: "The try is in the delivery log too, and counts towards turning a failing endpoint off.",
    request: { params: WebhookIdParam },
    responses: {
      200: { description: "What happened", content: { "application/json": { schema: PingResultSchema } } },
    },
  },
  { scope: "webhooks:admin" },
);

export const listWebhookAttempts = signedInRoute(
  {
    operationId: "listWebhookAttempts",
    method: "get",
    path: "/v1/webhooks/{id}/attempts",
    tags,
    summary: "The delivery log: the endpoint's latest tries, newest first",
    description: `The last ${WEBHOOK_LIMITS.attemptsKept} tries are kept: deliveries and pings, with status, time and duration.`,
    request: { params: WebhookIdParam, query: PageQuery },
    responses: {
      200: { description: "A page", content: { "application/json": { schema: WebhookAttemptPageSchema } } },
    },
  },
  { scope: "webhooks:admin" },
);

export const redeliverWebhook = signedInRoute(
  {
    operationId: "redeliverWebhook",
    method: "post",
    path: "/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver",
    tags,
    summary: "Send a delivery again, with the same webhook-id, whatever became of it",
    description:
      "It starts over with a full set of tries; if an earlier delivery of the same subject is pending, it follows that one. " +
      `Deliveries are kept ${WEBHOOK_LIMITS.deliveriesKeptDays} days after they settle.`,
    request: { params: DeliveryParams },
    responses: {
      202: { description: "Queued" },
      404: problem(404, { description: "No such endpoint of yours, or no such delivery of it" }),
    },
  },
  { scope: "webhooks:admin" },
);

import type { Context } from "hono";
import { recordAttempt } from "../../db/queries/webhook-deliveries";
import * as queries from "../../db/queries/webhooks";
import { WEBHOOK_EVENTS, WEBHOOK_LIMITS } from "../../db/schema";
import { decodeCursor, keysetPage } from "../../lib/cursor";
import { etagFor, ifNoneMatchHits, requiredVersions } from "../../lib/etag";
import { conflict, validationFailed } from "../../lib/problem";
import type { AppEnv, AppRouteHandler } from "../../lib/router";
import { destinationRules } from "../../webhooks/deliver";
import { refusedDestination } from "../../webhooks/destination";
import { sendWebhook } from "../../webhooks/send";
import { newWebhookSecret } from "../../webhooks/signature";
import { written } from "../after-write";
import { valueOrThrow } from "../outcome";
import type * as routes from "./webhooks.routes";

const asWebhook = {
  noun: "webhook",
  missing: (what: string | undefined) =>
    ({ notebook: "No notebook with this id.", delivery: "No delivery with this id for this webhook." })[what ?? ""] ??
    "No webhook with this id.",
  refused: () =>
    conflict(
      `You have ${WEBHOOK_LIMITS.endpointsPerUser} webhook endpoints already; delete one first.`,
      "webhook-limit",
    ),
};

/** The secret is in this answer only: no cache may keep it. */
const NO_STORE = { "Cache-Control": "no-store" };

/** A URL the destination rules refuse is a 422 naming the field, at save as at send. */
function checkUrl(c: Context<AppEnv>, url: string | undefined): void {
  if (url === undefined) return;
  const refusal = refusedDestination(url, destinationRules(c.var.config));
  if (refusal) throw validationFailed([{ path: "body.url", message: refusal }]);
}

export const createWebhook: AppRouteHandler<typeof routes.createWebhook> = async (c) => {
  const { url, events = [...WEBHOOK_EVENTS], notebookId = null, description = "" } = c.req.valid("json");
  checkUrl(c, url);
  const secret = newWebhookSecret();
  const webhook = valueOrThrow(
    await queries.createEndpoint(c.var.db, c.var.caller, { url, events, notebookId, description, secret }),
    asWebhook,
  );
  return c.json({ ...webhook, secret }, 201, {
    Location: `/v1/webhooks/${webhook.id}`,
    ETag: etagFor(webhook.version),
    ...NO_STORE,
  });
};

export const listWebhooks: AppRouteHandler<typeof routes.listWebhooks> = async (c) => {
  const items = valueOrThrow(await queries.listEndpoints(c.var.db, c.var.caller), asWebhook);
  return c.json({ items, nextCursor: null }, 200);
};

export const getWebhook: AppRouteHandler<typeof routes.getWebhook> = async (c) => {
  const webhook = valueOrThrow(await queries.findEndpoint(c.var.db, c.var.caller, c.req.valid("param").id), asWebhook);
  const etag = etagFor(webhook.version);
  if (ifNoneMatchHits(c.req.valid("header")["if-none-match"], etag)) return c.body(null, 304, { ETag: etag });
  return c.json(webhook, 200, { ETag: etag });
};

export const updateWebhook: AppRouteHandler<typeof routes.updateWebhook> = async (c) => {
  const patch = c.req.valid("json");
  checkUrl(c, patch.url);
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  const webhook = valueOrThrow(
    await queries.updateEndpoint(c.var.db, c.var.caller, c.req.valid("param").id, patch, versions),
    asWebhook,
  );
  return c.json(webhook, 200, { ETag: etagFor(webhook.version) });
};

export const deleteWebhook: AppRouteHandler<typeof routes.deleteWebhook> = async (c) => {
  const versions = requiredVersions(c.req.valid("header")["if-match"]);
  valueOrThrow(await queries.deleteEndpoint(c.var.db, c.var.caller, c.req.valid("param").id, versions), asWebhook);
  return c.body(null, 204);
};

export const rotateWebhookSecret: AppRouteHandler<typeof routes.rotateWebhookSecret> = async (c) => {
  const secret = newWebhookSecret();
  const rotated = valueOrThrow(
    await queries.rotateSecret(c.var.db, c.var.caller, c.req.valid("param").id, secret),
    asWebhook,
  );
  return c.json({ secret, ...rotated }, 200, NO_STORE);
};

export const pingWebhook: AppRouteHandler<typeof routes.pingWebhook> = async (c) => {
  const endpointId = c.req.valid("param").id;
  const target = valueOrThrow(await queries.pingTarget(c.var.db, c.var.caller, endpointId), asWebhook);
  const webhookId = `ping_${crypto.randomUUID()}`;
  const body = JSON.stringify({
    type: "webhook.ping",
    timestamp: new Date().toISOString(),
    data: { webhookId: endpointId },
  });
  const result = await sendWebhook(
    { url: target.url, id: webhookId, body, secrets: target.secrets },
    destinationRules(c.var.config),
  );
  await recordAttempt(c.var.db, {
    endpointId,
    deliveryId: null,
    webhookId,
    type: "webhook.ping",
    ...result,
    retryInSeconds: null,
  });
  return c.json({ webhookId, ...result }, 200);
};

// Binds cursors to this listing and endpoint: a cursor from another never verifies here.
const attemptsListing = (endpointId: string) => ({ list: "webhook-attempts", endpointId });

export const listWebhookAttempts: AppRouteHandler<typeof routes.listWebhookAttempts> = async (c) => {
  const { id } = c.req.valid("param");
  const { limit, cursor } = c.req.valid("query");
  const secret = c.var.config.PASSWORD_PEPPER;
  const listing = attemptsListing(id);
  const after = cursor ? await decodeCursor(cursor, { listing, ranked: false, secret }) : undefined;
  const rows = valueOrThrow(await queries.listAttempts(c.var.db, c.var.caller, id, limit, after), asWebhook);
  return c.json(await keysetPage(rows, limit, { listing, secret }), 200);
};

export const redeliverWebhook: AppRouteHandler<typeof routes.redeliverWebhook> = async (c) => {
  const { id, deliveryId } = c.req.valid("param");
  await written(c, await queries.redeliver(c.var.db, c.var.caller, id, deliveryId), asWebhook);
  return c.body(null, 202);
};

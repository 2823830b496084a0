import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";
import type { QueueMessage } from "../../src/webhooks/messages";
import { json, type Requester } from "./accounts";
import { testDatabase, testEnv } from "./api";
import { deliveriesQueue } from "./queues";
import type { Received } from "./webhook-received";

// The webhook queue as the tests drive it: what the worker sends is kept here (the producer bindings
// of testEnv), and a test hands it to the worker's real queue consumer as Cloudflare's test
// integration does (createMessageBatch, getQueueResult); the deliveries go to the real receiver of
// test/node/webhook-receiver.ts, which verifies them with the `standardwebhooks` package.

let messageCount = 0;

/** One run of the worker's queue consumer over these messages (first tries unless `attempts` says). */
export async function consume(
  bodies: unknown[],
  overrides: Partial<Bindings> = {},
  attempts = 1,
): Promise<QueueResult & { ids: string[] }> {
  const ids = bodies.map(() => `message-${++messageCount}`);
  const batch = createMessageBatch(
    "cloud-notes-webhooks",
    bodies.map((body, index) => ({ id: ids[index] ?? "", timestamp: new Date(), attempts, body })),
  );
  // The test integration's result leaves out a retry's delay, which is what backing off is: kept here.
  const delays = new Map<string, number | undefined>();
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (options) => {
      delays.set(message.id, options?.delaySeconds);
      retry(options);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv(overrides));
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryMessages: result.retryMessages.map((retried) => ({ ...retried, delaySeconds: delays.get(retried.msgId) })),
    ids,
  };
}

/** Time passing for deliveries waiting to be retried: each pending one is due now. */
export async function retriesDue(): Promise<void> {
  await testDatabase().execute(sql`update webhook_deliveries set due_at = now() where state = 'pending'`);
}

/** The dispatcher's run, as its nudge or cron starts it; answers the delivery messages it queued. */
export async function dispatch(overrides: Partial<Bindings> = {}): Promise<QueueMessage[]> {
  deliveriesQueue.take();
  const result = await consume([{ kind: "dispatch" }], overrides);
  expect(result.explicitAcks).toHaveLength(1);
  return deliveriesQueue.take().map((message) => message.body);
}

/**
 * Delivers until nothing more is due now: each round one consumer run over every queued message.
 * Retried messages are not run again (their delay has not passed); answers every run's result.
 */
export async function deliverQueued(first: QueueMessage[], overrides: Partial<Bindings> = {}): Promise<QueueResult[]> {
  const results: QueueResult[] = [];
  let pending: unknown[] = first;
  while (pending.length > 0) {
    results.push(await consume(pending, overrides));
    pending = deliveriesQueue.take().map((message) => message.body);
  }
  return results;
}

/** A receiver of test/node/webhook-receiver.ts: its URL, and ways to set it and read what it got. */
export interface TestReceiver {
  url: string;
  trust(secrets: string[]): Promise<void>;
  answer(status: number, location?: string): Promise<void>;
  received(): Promise<Received[]>;
}

const receiverApi = (path: string, init?: RequestInit) => fetch(`${env.TEST_WEBHOOK_RECEIVER}${path}`, init);

export async function newReceiver(): Promise<TestReceiver> {
  const { id, url } = await (await receiverApi("/receivers", { method: "POST" })).json<{ id: string; url: string }>();
  const put = async (settings: object) => {
    const response = await receiverApi(`/receivers/${id}`, { method: "PUT", body: JSON.stringify(settings) });
    expect(response.status).toBe(204);
  };
  return {
    url,
    trust: (secrets) => put({ secrets }),
    answer: (status, location) => put({ status, location }),
    received: async () => (await (await receiverApi(`/receivers/${id}`)).json<{ deliveries: Received[] }>()).deliveries,
  };
}

export interface NewWebhook {
  id: string;
  secret: string;
  events: string[];
}

/** Subscribes a new receiver that trusts the endpoint's secret; answers both. */
export async function subscribe(
  request: Requester,
  options: { events?: string[]; notebookId?: string } = {},
): Promise<{ webhook: NewWebhook; receiver: TestReceiver }> {
  const receiver = await newReceiver();
  const response = await request("/v1/webhooks", json({ url: receiver.url, ...options }));
  expect(response.status, await response.clone().text()).toBe(201);
  const webhook = await response.json<NewWebhook>();
  await receiver.trust([webhook.secret]);
  return { webhook, receiver };
}

/** The events a receiver got and verified, as `type id` lines, oldest first. */
export async function eventsAt(receiver: TestReceiver): Promise<string[]> {
  const received = await receiver.received();
  expect(received.every((delivery) => delivery.verified)).toBe(true);
  return received.map((delivery) => {
    const payload = delivery.payload as { type: string; data: { id: string } };
    return `${payload.type} ${payload.data.id}`;
  });
}

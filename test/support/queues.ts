import type { Bindings } from "../../src/env";
import type { QueueMessage } from "../../src/webhooks/messages";

// The queue producer bindings the tests give the worker (testEnv): they keep what is sent, in order,
// for a test to hand to the worker's real consumer (support/webhooks.ts), instead of a local queue
// whose consumer would run on its own, outside the test and without the test file's database.

export interface Sent<Body> {
  body: Body;
  delaySeconds?: number;
}

/** A producer binding that keeps what is sent to it, in order. */
export class KeptQueue<Body> {
  sent: Sent<Body>[] = [];

  async send(body: Body, options?: QueueSendOptions): Promise<void> {
    this.sent.push({ body, delaySeconds: options?.delaySeconds });
  }

  async sendBatch(messages: Iterable<MessageSendRequest<Body>>): Promise<void> {
    for (const message of messages) this.sent.push({ body: message.body, delaySeconds: message.delaySeconds });
  }

  /** Everything sent since the last take. */
  take(): Sent<Body>[] {
    return this.sent.splice(0);
  }
}

export const deliveriesQueue = new KeptQueue<QueueMessage>();
export const deadLetters = new KeptQueue<unknown>();

/** The queue bindings every test's worker gets (testEnv). */
export const keptQueues = () =>
  ({
    WEBHOOK_DELIVERIES: deliveriesQueue as unknown as Queue,
    WEBHOOK_DEAD_LETTERS: deadLetters as unknown as Queue,
  }) satisfies Partial<Bindings>;

import { createDatabase, type Database } from "../db/client";
import { claimDelivery, recordAttempt } from "../db/queries/webhook-deliveries";
import { WEBHOOK_LIMITS } from "../db/schema";
import { type Bindings, type Config, configFrom } from "../env";
import { type Logger, workerLogger } from "../lib/log";
import type { DestinationRules } from "./destination";
import { dispatchWebhooks } from "./dispatch";
import { enqueueDeliveries, QueueMessageSchema } from "./messages";
import { retryDelaySeconds, sendWebhook } from "./send";

/** Where webhooks may go under these settings: https and public hosts, or locally also this machine. */
export const destinationRules = (config: Config): DestinationRules => ({
  allowHttp: config.WEBHOOK_LOCAL_RECEIVERS,
  allowLoopback: config.WEBHOOK_LOCAL_RECEIVERS,
});

/** A database hiccup: the message comes back this much later, however many tries its delivery had. */
const TROUBLE_RETRY_SECONDS = 60;

/**
 * The queue consumer: each message on its own, acknowledged when its work is done (or there is none
 * left: delivered, given up, waiting behind an earlier one), retried later when the receiver failed
 * (30 s doubling to 12 h, WEBHOOK_LIMITS.attempts tries in about 3 days) or something of ours did.
 */
export async function consumeWebhookQueue(batch: MessageBatch, env: Bindings): Promise<void> {
  const config = configFrom(env);
  const db = createDatabase(config);
  const log = workerLogger(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = QueueMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        log.line("error", "webhooks: a queue message of no known shape was dropped", { messageId: message.id });
        message.ack();
        return;
      }
      try {
        if (parsed.data.kind === "dispatch") {
          await dispatchWebhooks(db, env.WEBHOOK_DELIVERIES);
          message.ack();
          return;
        }
        const retryIn = await deliver(db, env, destinationRules(config), parsed.data.deliveryId, log);
        if (retryIn === undefined) message.ack();
        else message.retry({ delaySeconds: retryIn });
      } catch (error) {
        log.error("webhooks: handling a queue message failed", error, { messageId: message.id });
        message.retry({ delaySeconds: TROUBLE_RETRY_SECONDS });
      }
    }),
  );
}

/** Tries one delivery if it is to be sent now; answers seconds until the next try, or undefined when settled. */
async function deliver(
  db: Database,
  env: Bindings,
  rules: DestinationRules,
  deliveryId: string,
  log: Logger,
): Promise<number | undefined> {
  const claimed = await claimDelivery(db, deliveryId);
  if (!claimed) return undefined;
  const webhookId = `msg_${deliveryId}`;
  const result = await sendWebhook(
    { url: claimed.url, id: webhookId, body: claimed.payload, secrets: claimed.secrets },
    rules,
  );
  const tries = claimed.attempts + 1;
  const givenUp = !result.ok && tries >= WEBHOOK_LIMITS.attempts;
  const retryInSeconds = result.ok || givenUp ? null : retryDelaySeconds(tries);
  const recorded = await recordAttempt(db, {
    endpointId: claimed.endpointId,
    deliveryId,
    webhookId,
    type: claimed.type,
    ...result,
    retryInSeconds,
  });
  if (recorded.next) await enqueueDeliveries(env.WEBHOOK_DELIVERIES, [recorded.next]);
  if (recorded.disabled) {
    log.line("warn", "webhooks: an endpoint was turned off, most deliveries to it failing", {
      endpointId: claimed.endpointId,
    });
  }
  if (givenUp) {
    await env.WEBHOOK_DEAD_LETTERS.send({
      deliveryId,
      endpointId: claimed.endpointId,
      type: claimed.type,
      attempts: tries,
      lastError: result.error ?? `HTTP ${result.status}`,
    });
  }
  return retryInSeconds ?? undefined;
}

import type { MiddlewareHandler } from "hono";
import { requestLogger } from "../lib/log";
import type { AppEnv } from "../lib/router";

/**
 * Seconds a nudge waits on the queue, and the least time between two from one isolate: a write within
 * that window is read by the nudge already on its way, which runs after it committed.
 */
export const NUDGE_DELAY_SECONDS = 2;

let lastNudgeAt = 0;

/**
 * After a successful write, asks the webhook dispatcher to read the feed soon (src/webhooks/), so
 * deliveries leave within seconds rather than at the next minute's cron; at most one message per
 * isolate every NUDGE_DELAY_SECONDS, sent after the response.
 */
export function nudgeWebhooks(): MiddlewareHandler<AppEnv> {
  return async function nudgeWebhooks(c, next) {
    await next();
    if (c.res.status >= 300) return;
    const now = Date.now();
    if (now - lastNudgeAt < NUDGE_DELAY_SECONDS * 1000) return;
    lastNudgeAt = now;
    // After the response, and whatever the queue does (throws at once, rejects later): the write has
    // committed, and the cron's run a minute on reads what a lost nudge would have.
    const nudged = Promise.resolve()
      .then(() => c.env.WEBHOOK_DELIVERIES.send({ kind: "dispatch" }, { delaySeconds: NUDGE_DELAY_SECONDS }))
      .catch((error) => requestLogger(c).error("webhooks: nudging the dispatcher failed", error));
    c.executionCtx.waitUntil(nudged);
  };
}

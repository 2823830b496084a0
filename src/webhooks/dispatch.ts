import type { Database } from "../db/client";
import { dispatchRound, ENDPOINTS_PER_ROUND, overdueDeliveries } from "../db/queries/webhook-deliveries";
import { enqueueDeliveries, type QueueMessage } from "./messages";

/** Rounds per run: 50 endpoints each, least lately dispatched first; the next run goes on from there. */
const ROUNDS = 20;

/**
 * Reads the feed for every enabled endpoint and sends a message per delivery now due; then sends again
 * what was due long ago and never tried (a send that failed after its delivery was written). Run by the
 * cron every minute and by the nudge that follows writes (nudge.ts); two at once share the endpoints.
 */
export async function dispatchWebhooks(
  db: Database,
  queue: Queue<QueueMessage>,
): Promise<{ read: number; sent: number }> {
  let read = 0;
  let sent = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const { endpoints, read: changes, due } = await dispatchRound(db);
    await enqueueDeliveries(queue, due);
    read += changes;
    sent += due.length;
    // Done when a round read nothing and saw every endpoint that was not busy elsewhere.
    if (changes === 0 && endpoints < ENDPOINTS_PER_ROUND) break;
  }
  const overdue = await overdueDeliveries(db);
  await enqueueDeliveries(queue, overdue);
  return { read, sent: sent + overdue.length };
}

import type { Database } from "../db/client";
import { dispatchRound, overdueDeliveries } from "../db/queries/webhook-deliveries";
import { enqueueDeliveries, type QueueMessage } from "./messages";

const ROUNDS = 10;

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
    const { read: changes, due } = await dispatchRound(db);
    await enqueueDeliveries(queue, due);
    read += changes;
    sent += due.length;
    if (changes === 0) break;
  }
  const overdue = await overdueDeliveries(db);
  await enqueueDeliveries(queue, overdue);
  return { read, sent: sent + overdue.length };
}

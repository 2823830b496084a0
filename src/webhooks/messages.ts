import { z } from "zod";

// What travels on the webhook queue (wrangler.toml): a delivery to try, or a nudge to read the feed.
// Both are tiny; what a delivery sends is read from Postgres when it is tried, never carried here.
export const QueueMessageSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("deliver"), deliveryId: z.uuid() }),
  z.object({ kind: z.literal("dispatch") }),
]);
export type QueueMessage = z.infer<typeof QueueMessageSchema>;

/** Where deliveries given up on go, for an operator to look at (the delivery log has them too). */
export interface DeadLetter {
  deliveryId: string;
  endpointId: string;
  type: string;
  attempts: number;
  lastError: string;
}

const MESSAGES_PER_SEND = 100; // the most one sendBatch takes

/** Sends a message per delivery, in batches as large as Queues take. */
export async function enqueueDeliveries(queue: Queue<QueueMessage>, deliveryIds: string[]): Promise<void> {
  for (let start = 0; start < deliveryIds.length; start += MESSAGES_PER_SEND) {
    await queue.sendBatch(
      deliveryIds
        .slice(start, start + MESSAGES_PER_SEND)
        .map((deliveryId) => ({ body: { kind: "deliver", deliveryId } as const, contentType: "json" as const })),
    );
  }
}

import type { Context } from "hono";
import type { Outcome, WriteEffects } from "../db/queries/outcome";
import { purgePublicCopies } from "../lib/edge-cache";
import { requestLogger } from "../lib/log";
import type { AppEnv } from "../lib/router";
import { deleteObjectsInBackground } from "../storage/delete-objects";
import { enqueueDeliveries } from "../webhooks/messages";
import { type OutcomeProblems, valueOrThrow } from "./outcome";

/**
 * What follows every write, in one place: the bytes of objects no row names any more leave R2 after
 * the response (the outbox has them if that fails), and stale public copies become unreachable before
 * the response, so the next request sees the change; webhook deliveries due go on the queue. Driven only by what the statement reported.
 */
export async function afterWrite(c: Context<AppEnv>, effects: WriteEffects | undefined): Promise<void> {
  if (!effects) return;
  deleteObjectsInBackground(c, effects.unreferencedObjects ?? []);
  // Before the response: a delivery the client was told is due is on the queue (else the dispatcher
  // sends it within minutes, as any overdue one).
  await enqueueDeliveries(c.env.WEBHOOK_DELIVERIES, effects.webhookDeliveries ?? []).catch((error) =>
    requestLogger(c).error("webhooks: queueing deliveries failed; the dispatcher will", error),
  );
  await purgePublicCopies(c, { notes: effects.staleNotes ?? [], feed: effects.staleFeed ?? false });
}

/** The value a write produced, or its problem; with what follows the write done first. */
export async function written<T, Reason extends string = never>(
  c: Context<AppEnv>,
  outcome: Outcome<T, Reason>,
  problems: OutcomeProblems<Reason>,
): Promise<T> {
  const value = valueOrThrow(outcome, problems);
  if (outcome.kind === "done") await afterWrite(c, outcome.effects);
  return value;
}

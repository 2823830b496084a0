import { createDatabase, type Database } from "./db/client";
import { pruneChanges } from "./db/queries/changes";
import { pruneExpiredIdempotentRequests } from "./db/queries/idempotent-requests";
import { pruneLapsedInvitations } from "./db/queries/invitations";
import { dueObjectKeys, postponeObjectKeys, settleObjectKeys } from "./db/queries/r2-outbox";
import { pruneExpiredSessions } from "./db/queries/refresh-tokens";
import { pruneRevisions } from "./db/queries/revisions";
import { purgeExpiredTrash } from "./db/queries/trash";
import { pruneWebhookLog } from "./db/queries/webhook-deliveries";
import { type Bindings, configFrom } from "./env";
import { type Logger, workerLogger } from "./lib/log";
import { dispatchWebhooks } from "./webhooks/dispatch";

/** wrangler.toml's crons: the sweep's; the other, every minute, dispatches webhooks. */
export const SWEEP_CRON = "*/10 * * * *";

export async function runScheduled(cron: string, env: Bindings): Promise<unknown> {
  if (cron === SWEEP_CRON) return sweep(env);
  const log = workerLogger(env);
  return dispatchWebhooks(createDatabase(configFrom(env)), env.WEBHOOK_DELIVERIES).catch((error) =>
    log.error("webhooks: dispatching failed", error),
  );
}

const BATCH = 1000; // R2's limit for one delete call

/**
 * The cron sweep: deletes R2 objects that no attachment row will ever confirm (an upload whose request
 * died between R2 and Postgres), objects of deleted or replaced attachments whose immediate deletion
 * failed or was deferred, notes trashed long ago, revisions past the newest kept, expired sessions,
 * lapsed invitations, expired Idempotency-Key answers, changes the feed no longer keeps and the
 * webhook log past what it keeps.
 */
export async function sweep(env: Bindings): Promise<{ deleted: number; failed: number }> {
  const db = createDatabase(configFrom(env));
  const log = workerLogger(env);
  // Each duty runs whatever became of the other: R2 or a poisoned row must not keep sessions from expiring.
  // Purged first, so the bytes it queues are deleted by this same run.
  await purgeExpiredTrash(db).catch((error) => log.error("sweep: purging the trash failed", error));
  await pruneRevisions(db).catch((error) => log.error("sweep: pruning revisions failed", error));
  const objects = await deleteDueObjects(env.ATTACHMENTS, db, log).catch((error) => {
    log.error("sweep: deleting objects failed", error);
    return { deleted: 0, failed: 0 };
  });
  await pruneExpiredSessions(db).catch((error) => log.error("sweep: pruning sessions failed", error));
  await pruneLapsedInvitations(db).catch((error) => log.error("sweep: pruning invitations failed", error));
  await pruneExpiredIdempotentRequests(db).catch((error) =>
    log.error("sweep: pruning idempotent requests failed", error),
  );
  await pruneChanges(db).catch((error) => log.error("sweep: pruning the change feed failed", error));
  await pruneWebhookLog(db).catch((error) => log.error("sweep: pruning the webhook log failed", error));
  log.info("sweep", objects);
  return objects;
}

async function deleteDueObjects(
  bucket: R2Bucket,
  db: Database,
  log: Logger,
): Promise<{ deleted: number; failed: number }> {
  let deleted = 0;
  let failed = 0;
  for (let round = 0; round < 10; round++) {
    const keys = await dueObjectKeys(db, BATCH);
    if (keys.length === 0) break;
    try {
      await bucket.delete(keys); // deleting a key that is already gone succeeds
      await settleObjectKeys(db, keys);
      deleted += keys.length;
    } catch (error) {
      log.error("sweep: R2 delete failed", error, { keys: keys.length });
      await postponeObjectKeys(db, keys, error instanceof Error ? error.message : String(error));
      failed += keys.length;
      break;
    }
    if (keys.length < BATCH) break;
  }
  return { deleted, failed };
}

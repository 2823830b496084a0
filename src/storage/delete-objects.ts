import type { BackgroundWork } from "../lib/background-work";
import { logError } from "../lib/log";

/**
 * Deletes R2 objects after the response has gone. The rows are already gone and the trigger queued
 * these keys in the outbox, so if R2 fails now the scheduled sweep deletes them later.
 */
export function deleteObjectsInBackground(bucket: R2Bucket, executionCtx: BackgroundWork, keys: string[]): void {
  if (keys.length === 0) return;
  executionCtx.waitUntil(
    (async () => {
      for (let start = 0; start < keys.length; start += 1000) {
        await bucket.delete(keys.slice(start, start + 1000)); // R2 deletes at most 1,000 keys per call
      }
    })().catch((error) => logError("R2 delete failed; the sweep will retry", error, { keys: keys.length })),
  );
}

import type { Context } from "hono";
import { requestLogger } from "../lib/log";
import type { AppEnv } from "../lib/router";

/**
 * Deletes R2 objects after the response has gone. The rows are already gone and the trigger queued
 * these keys in the outbox, so if R2 fails now the scheduled sweep deletes them later.
 */
export function deleteObjectsInBackground(c: Context<AppEnv>, keys: string[]): void {
  if (keys.length === 0) return;
  const bucket = c.env.ATTACHMENTS;
  c.executionCtx.waitUntil(
    (async () => {
      for (let start = 0; start < keys.length; start += 1000) {
        await bucket.delete(keys.slice(start, start + 1000)); // R2 deletes at most 1,000 keys per call
      }
    })().catch((error) =>
      requestLogger(c).error("R2 delete failed; the sweep will retry", error, { keys: keys.length }),
    ),
  );
}

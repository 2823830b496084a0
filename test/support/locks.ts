import { createExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { inTransaction, type Transaction } from "../../src/db/client";
import { configFrom } from "../../src/env";
import { testDatabase, testEnv } from "./api";

/**
 * Races a request against a change that is made but not yet committed: runs `change` in a transaction,
 * sends the request, waits until the request waits on a lock the change holds, then commits. Answers
 * the request's response, so a test sees what a request that met the change mid-flight does.
 */
export async function requestBehindCommit(
  change: (tx: Transaction) => Promise<unknown>,
  send: () => Promise<Response>,
): Promise<Response> {
  let response: Promise<Response> | undefined;
  await inTransaction(configFrom(testEnv()), createExecutionContext(), async (tx) => {
    await change(tx);
    response = send();
    for (let waited = 0; waited < 100; waited++) {
      const { rows } = await testDatabase().execute<{ waiting: number }>(sql`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`);
      if (rows[0]?.waiting) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("the request never waited for the uncommitted change");
  });
  if (!response) throw new Error("no request was sent");
  return response;
}

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createDatabase } from "../../src/db/client";
import { type Bindings, configFrom } from "../../src/env";
import worker from "../../src/index";
import { fileDatabaseUrl } from "./file-database";
import { keptQueues } from "./queues";

/**
 * The worker's bindings as the tests run it: the local R2, this file's own database, and webhook queues
 * that keep what is sent for the test to hand to the consumer (support/webhooks.ts).
 */
export function testEnv(overrides: Partial<Bindings> = {}): Bindings {
  return { ...env, DATABASE_URL: fileDatabaseUrl(), ...keptQueues(), ...overrides };
}

/**
 * Sends a request through the worker's real fetch handler inside workerd and waits for its
 * waitUntil work (closing pools and the like) before returning, so tests see the settled state.
 */
export async function api(path: string, init: RequestInit = {}, overrides: Partial<Bindings> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(new URL(path, "https://api.test"), init), testEnv(overrides), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** Direct database access for arranging and inspecting state, through the same driver the app uses. */
export function testDatabase() {
  return createDatabase(configFrom(testEnv()));
}

/** How many database round trips (HTTP queries or batches, WebSocket sessions) `work` cost this file's database. */
export async function roundTripsDuring(work: () => Promise<unknown>): Promise<number> {
  const stats = async () => {
    const database = new URL(fileDatabaseUrl()).pathname.slice(1);
    const response = await fetch(`http://${env.LOCAL_NEON_ENDPOINT}/stats?database=${database}`);
    const counts = await response.json<{ httpRequests: number; webSocketSessions: number }>();
    return counts.httpRequests + counts.webSocketSessions;
  };
  const before = await stats();
  await work();
  return (await stats()) - before;
}

import { cpuMilliseconds } from "./workerd-cpu.ts";

// A bounded load generator for loopback targets: fixed concurrency for a fixed time, then it stops.

export interface LoadResult {
  label: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** The serving workerd process's CPU time over the requests it served (when its pid was given). */
  cpuMsPerRequest?: number;
}

export async function runLoad(
  label: string,
  /** Called with the client's index, so a client can keep state of its own (an ETag, say). */
  send: (client: number) => Promise<Response>,
  { concurrency = 10, seconds = 10, workerdPid }: { concurrency?: number; seconds?: number; workerdPid?: number } = {},
): Promise<LoadResult> {
  const latencies: number[] = [];
  const cpuBefore = workerdPid ? cpuMilliseconds(workerdPid) : 0;
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        const response = await send(client).catch(() => undefined);
        await response?.arrayBuffer();
        latencies.push(performance.now() - begin);
        if (!response?.ok) failures++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpuMs = workerdPid ? cpuMilliseconds(workerdPid) - cpuBefore : undefined;
  latencies.sort((a, b) => a - b);
  return {
    label,
    requests: latencies.length,
    failures,
    requestsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    ...(cpuMs === undefined ? {} : { cpuMsPerRequest: cpuMs / Math.max(1, latencies.length) }),
  };
}

/**
 * The serving workerd's CPU per request with requests arriving one at a time, at a steady `rate` per
 * second (an open loop): what a request costs on its own. Under a closed loop workerd's CPU per request
 * follows the request's wall time instead: its event loop's own work is shared by the requests in
 * flight together, so an endpoint that waits longer on PostgreSQL looked costlier for doing nothing
 * more (a `select pg_sleep(0.005)` cost as much as the note's whole statement). At most `maxInFlight`
 * requests overlap, so an endpoint slower than the pace is measured, not queued without end.
 */
export async function cpuPerRequest(
  send: (client: number) => Promise<Response>,
  {
    rate = 100,
    seconds = 5,
    workerdPid,
    maxInFlight = 4,
  }: { rate?: number; seconds?: number; workerdPid: number; maxInFlight?: number },
): Promise<{ cpuMsPerRequest: number; requests: number; failures: number }> {
  const interval = 1000 / rate;
  const cpuBefore = cpuMilliseconds(workerdPid);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  // Each request in flight has a client index of its own, as runLoad's clients do (a PATCH's ETag).
  const idle = Array.from({ length: maxInFlight }, (_, client) => client);
  let requests = 0;
  let failures = 0;
  for (let next = started; next < started + seconds * 1000; next += interval) {
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const client = idle.pop() ?? 0;
    const done: Promise<void> = send(client)
      .then(async (response) => {
        await response.arrayBuffer();
        if (!response.ok) failures++;
      })
      .catch(() => void failures++)
      .finally(() => {
        inFlight.delete(done);
        idle.push(client);
      });
    inFlight.add(done);
    requests++;
  }
  await Promise.all(inFlight);
  return { cpuMsPerRequest: (cpuMilliseconds(workerdPid) - cpuBefore) / requests, requests, failures };
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

export function printResults(results: LoadResult[]): void {
  const width = Math.max(44, ...results.map((r) => r.label.length + 1));
  console.log(
    "endpoint".padEnd(width),
    "req/s".padStart(8),
    "p50 ms".padStart(8),
    "p99 ms".padStart(8),
    "failed".padStart(7),
  );
  for (const r of results) {
    console.log(
      r.label.padEnd(width),
      r.requestsPerSecond.toFixed(0).padStart(8),
      r.p50.toFixed(1).padStart(8),
      r.p99.toFixed(1).padStart(8),
      `${r.failures}/${r.requests}`.padStart(7),
    );
  }
}

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

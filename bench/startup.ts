// `npm run bench:startup`: what the bundle costs before the first request. For this checkout (and,
// with BENCH_BASELINE=<git ref or directory>, another one, measured alternately in the same run): the
// bundle's size raw and gzipped as `wrangler deploy` makes it, and over several cold starts the
// median time from starting workerd to its answering (process start, script parse, top-level code)
// and of the first request after that (GET /health/live).
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { baselineCheckout } from "./checkout.ts";
import { bundleWorker, startProductionWorker } from "./production-worker.ts";

const starts = Number(process.env.BENCH_STARTS ?? 7);
const baselineRef = process.env.BENCH_BASELINE;

const baseline = baselineRef ? baselineCheckout(baselineRef) : undefined;
const targets = [
  ...(baseline && baselineRef ? [{ label: `baseline ${baselineRef}`, sourceDir: baseline.dir }] : []),
  { label: "this checkout", sourceDir: undefined },
];
try {
  const bundles = await Promise.all(targets.map((target) => bundleWorker({ sourceDir: target.sourceDir })));
  const samples = targets.map(() => ({ start: [] as number[], first: [] as number[] }));
  for (let round = 0; round < starts; round++) {
    for (const [t, bundleDir] of bundles.entries()) {
      const worker = await startProductionWorker({ bundleDir });
      const began = performance.now();
      await (await fetch(`${worker.url}/health/live`)).arrayBuffer();
      samples[t]?.start.push(worker.startMs);
      samples[t]?.first.push(performance.now() - began);
      await worker.stop();
    }
  }
  console.log(`${starts} cold starts each, minified bundle as deployed, workerd via Miniflare`);
  console.log(
    "".padEnd(28),
    "raw KiB".padStart(9),
    "gzip KiB".padStart(9),
    "start ms".padStart(9),
    "1st req ms".padStart(11),
  );
  for (const [t, target] of targets.entries()) {
    const script = readdirSync(bundles[t] ?? "").find((file) => file.endsWith(".js")) ?? "";
    const bytes = readFileSync(join(bundles[t] ?? "", script));
    console.log(
      target.label.padEnd(28),
      (bytes.length / 1024).toFixed(0).padStart(9),
      (gzipSync(bytes, { level: 9 }).length / 1024).toFixed(0).padStart(9),
      median(samples[t]?.start ?? [])
        .toFixed(0)
        .padStart(9),
      median(samples[t]?.first ?? [])
        .toFixed(1)
        .padStart(11),
    );
  }
  for (const dir of bundles) rmSync(dir, { recursive: true, force: true });
} finally {
  baseline?.remove();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

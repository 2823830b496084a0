// `node bench/auth.ts`: what signing in costs. Prints the median time of one password hash (PBKDF2,
// 100,000 iterations) in workerd, and sign-ins per second under a bounded local load.

import { signedInUser, startBenchApp } from "./bench-app.ts";
import { printResults, runLoad } from "./load.ts";
import { startProductionWorker } from "./production-worker.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);

await measureHashing();
await measureSignIns();

async function measureHashing() {
  const worker = await startProductionWorker({ entry: "bench/workers/password-hash.ts" });
  try {
    const time = async (path: string) => {
      const started = performance.now();
      await (await fetch(`${worker.url}${path}`)).text();
      return performance.now() - started;
    };
    for (let i = 0; i < 10; i++) await time("/hash"); // warm-up
    const hash: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < 100; i++) {
      noop.push(await time("/noop"));
      hash.push(await time("/hash"));
    }
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    console.log(
      `password hash (PBKDF2-SHA256, 100,000 iterations) in workerd: median ${(median(hash) - median(noop)).toFixed(1)} ms ` +
        `(request with hash ${median(hash).toFixed(1)} ms, without ${median(noop).toFixed(1)} ms, 100 sequential requests)`,
    );
  } finally {
    await worker.stop();
  }
}

async function measureSignIns() {
  const app = await startBenchApp();
  try {
    const { signIn } = await signedInUser(app.url);
    const get = (path: string) => () => fetch(`${app.url}${path}`);
    await runLoad("warm-up", signIn, { concurrency, seconds: 2 });
    const results = [
      await runLoad("GET /health/live (no database)", get("/health/live"), { concurrency, seconds }),
      await runLoad("GET /health (one SELECT)", get("/health"), { concurrency, seconds }),
      await runLoad("POST /v1/auth/token (password grant)", signIn, { concurrency, seconds }),
    ];
    console.log(`${concurrency} concurrent clients, ${seconds} s each, workerd via Miniflare (no wrangler dev proxy)`);
    printResults(results);
  } finally {
    await app.stop();
  }
}

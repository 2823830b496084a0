// `npm run bench:database-call`: where one database call's CPU goes in workerd. The same `select 1`,
// made by hand over fetch (the Neon HTTP protocol), through the Neon driver, and through drizzle, next to
// a request that makes none; CPU ms per request is the workerd process's own CPU time over requests,
// with requests arriving one at a time (BENCH_RATE a second, as `npm run bench` measures) and, beside
// it, under BENCH_CONCURRENCY clients in a closed loop. `/drizzle-wait` makes the drizzle call wait
// 5 ms longer in PostgreSQL: the closed loop charges that wait as CPU, the paced figure does not.
import { generatedSecrets } from "../scripts/dev-secrets.ts";
import { startBenchApp } from "./bench-app.ts";
import { cpuPerRequest, runLoad } from "./load.ts";
import { startProductionWorker } from "./production-worker.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const rate = Number(process.env.BENCH_RATE ?? 100);

const app = await startBenchApp();
const worker = await startProductionWorker({
  entry: "bench/workers/database-call.ts",
  bindings: { ...generatedSecrets(), DATABASE_URL: app.databaseUrl, LOCAL_NEON_ENDPOINT: app.neonEndpoint },
});
try {
  const rows: [string, number, number][] = [];
  for (const layer of ["/none", "/fetch", "/neon", "/drizzle", "/drizzle-wait"]) {
    const send = () => fetch(`${worker.url}${layer}`);
    await runLoad("warm-up", send, { concurrency, seconds: 1 });
    const paced = await cpuPerRequest(send, { rate, seconds, workerdPid: worker.pid });
    const closed = await runLoad(layer, send, { concurrency, seconds, workerdPid: worker.pid });
    if (paced.failures + closed.failures > 0) throw new Error(`${layer}: failed requests`);
    rows.push([layer, paced.cpuMsPerRequest, closed.cpuMsPerRequest ?? Number.NaN]);
  }
  const [, pacedNone = Number.NaN, closedNone = Number.NaN] = rows[0] ?? [];
  console.log(`workerd CPU ms per request: ${rate} requests/s one at a time | ${concurrency} clients, closed loop`);
  for (const [layer, paced, closed] of rows) {
    const over = (cpu: number, none: number) => `${cpu.toFixed(3)} ms (+${(cpu - none).toFixed(3)})`;
    console.log(`  ${layer.padEnd(14)} ${over(paced, pacedNone).padEnd(22)} | ${over(closed, closedNone)}`);
  }
} finally {
  await worker.stop();
  await app.stop();
}

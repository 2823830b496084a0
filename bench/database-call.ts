// `npm run bench:database-call`: where one database call's CPU goes in workerd. The same `select 1`,
// made by hand over fetch (the Neon HTTP protocol), through the Neon driver, and through drizzle, next to
// a request that makes none; CPU ms per request is the workerd process's own CPU time over requests.
import { generatedSecrets } from "../scripts/dev-secrets.ts";
import { startBenchApp } from "./bench-app.ts";
import { runLoad } from "./load.ts";
import { startProductionWorker } from "./production-worker.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);

const app = await startBenchApp();
const worker = await startProductionWorker({
  entry: "bench/workers/database-call.ts",
  bindings: { ...generatedSecrets(), DATABASE_URL: app.databaseUrl, LOCAL_NEON_ENDPOINT: app.neonEndpoint },
});
try {
  const rows: [string, number][] = [];
  for (const layer of ["/none", "/fetch", "/neon", "/drizzle"]) {
    const send = () => fetch(`${worker.url}${layer}`);
    await runLoad("warm-up", send, { concurrency, seconds: 1 });
    const result = await runLoad(layer, send, { concurrency, seconds, workerdPid: worker.pid });
    if (result.failures > 0) throw new Error(`${layer}: ${result.failures} failed requests`);
    rows.push([layer, result.cpuMsPerRequest ?? Number.NaN]);
  }
  const none = rows[0]?.[1] ?? Number.NaN;
  console.log(`${concurrency} concurrent clients, ${seconds} s each; workerd CPU ms per request`);
  for (const [layer, cpu] of rows) {
    console.log(`  ${layer.padEnd(10)} ${cpu.toFixed(3)} ms  (+${(cpu - none).toFixed(3)} over no call)`);
  }
} finally {
  await worker.stop();
  await app.stop();
}

// `npm run bench:edge-cache`: what an edge-cache hit (an anonymous GET /v1/public/notes/{id}) costs our
// own code. Locally the Cache API is Miniflare's cache simulator, which runs inside the same workerd
// process, so `npm run bench` charges its work to us; on Cloudflare the cache lives outside the isolate.
// So the same bundle runs twice on one database: as built, and with the Cache API answered from a map in
// the isolate (bench/workers/in-isolate-cache.ts). Each figure is workerd CPU per request with requests
// arriving one at a time (BENCH_RATE a second), the median of BENCH_ROUNDS rounds, next to the floor
// (GET /health/live) of the same worker.
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { cpuPerRequest, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rate = Number(process.env.BENCH_RATE ?? 100);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

const app = await startBenchApp();
try {
  const isolate = await app.startOther({ entry: "bench/workers/in-isolate-cache.ts" });
  const { call } = await signedInUser(app.url);
  const { id } = (await (
    await call("/v1/notes", { method: "POST", body: '{"title":"Public","content":"Words for everyone"}' })
  ).json()) as {
    id: string;
  };
  await call(`/v1/notes/${id}`, { method: "PATCH", body: JSON.stringify({ visibility: "public" }) });
  const workers = [
    { name: "Miniflare's cache simulator (in workerd)", url: app.url, pid: app.pid },
    { name: "a map in the isolate", url: isolate.url, pid: isolate.pid },
  ];
  const paths = { floor: "/health/live", hit: `/v1/public/notes/${id}` };
  const figures = new Map<string, number[]>();
  for (const worker of workers) {
    for (const path of Object.values(paths)) {
      const send = () => fetch(`${worker.url}${path}`);
      await (await send()).arrayBuffer(); // the first read fills the cache
      const before = await app.roundTrips();
      const response = await send();
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${worker.name} ${path}: ${response.status}`);
      const trips = (await app.roundTrips()) - before;
      if (path === paths.hit && trips !== 0) throw new Error(`${worker.name}: a hit made ${trips} round trip(s)`);
      await runLoad("warm-up", send, { concurrency: 4, seconds: 1 });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const worker of workers) {
      for (const [kind, path] of Object.entries(paths)) {
        const paced = await cpuPerRequest(() => fetch(`${worker.url}${path}`), {
          rate,
          seconds,
          workerdPid: worker.pid,
        });
        if (paced.failures > 0) throw new Error(`${worker.name} ${path}: ${paced.failures} failed requests`);
        const key = `${worker.name}/${kind}`;
        figures.set(key, [...(figures.get(key) ?? []), paced.cpuMsPerRequest]);
      }
    }
  }
  const median = (values: number[] = []) =>
    [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
  console.log(
    `workerd CPU ms per request, ${rate} requests/s one at a time, median of ${rounds} rounds of ${seconds} s`,
  );
  for (const worker of workers) {
    const floor = median(figures.get(`${worker.name}/floor`));
    const hit = median(figures.get(`${worker.name}/hit`));
    console.log(
      `  Cache API from ${worker.name.padEnd(40)} floor ${floor.toFixed(3)} ms, hit ${hit.toFixed(3)} ms: ${(hit / floor).toFixed(2)}x floor`,
    );
  }
} finally {
  await app.stop();
}

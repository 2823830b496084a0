// `npm run bench:public`: the public note and the public feed (sort=top, 20 items) for anonymous readers,
// served from the edge cache (a hit) and made afresh (`Cache-Control: no-cache`, a miss), with the
// database round trips each costs, against the production bundle in workerd and a local PostgreSQL.
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { printResults, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const VOTERS = 30;

const app = await startBenchApp();
try {
  const author = (await signedInUser(app.url)).call;
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    const body = JSON.stringify({
      title: `Public note ${i}`,
      content: `Words about topic ${i % 17}`,
      tags: [`t${i % 5}`],
    });
    const { id } = (await (await author("/v1/notes", { method: "POST", body })).json()) as { id: string };
    await author(`/v1/notes/${id}`, { method: "PATCH", body: JSON.stringify({ visibility: "public" }) });
    ids.push(id);
  }
  // Scores spread over the notes, so `top` has an order to keep.
  for (let v = 0; v < VOTERS; v++) {
    const voter = (await signedInUser(app.url, `voter-${v}@example.com`)).call;
    for (let i = v % 7; i < ids.length; i += 7) {
      const body = JSON.stringify({ value: (i + v) % 3 ? 1 : -1 });
      await voter(`/v1/public/notes/${ids[i]}/vote`, { method: "PUT", body });
    }
  }

  const miss = { headers: { "Cache-Control": "no-cache" } };
  const endpoints: [string, () => Promise<Response>][] = [
    ["GET /v1/public/notes/{id} (cache hit)", () => fetch(`${app.url}/v1/public/notes/${ids[0]}`)],
    ["GET /v1/public/notes/{id} (cache miss)", () => fetch(`${app.url}/v1/public/notes/${ids[0]}`, miss)],
    ["GET /v1/public/notes?sort=top (hit)", () => fetch(`${app.url}/v1/public/notes?sort=top`)],
    ["GET /v1/public/notes?sort=top (miss)", () => fetch(`${app.url}/v1/public/notes?sort=top`, miss)],
  ];

  console.log("database round trips per request (counted at the local Neon endpoint):");
  for (const [name, send] of endpoints) {
    await (await send()).arrayBuffer(); // warms the cache for the hits
    const before = await app.roundTrips();
    await (await send()).arrayBuffer();
    console.log(`  ${name.padEnd(44)} ${(await app.roundTrips()) - before}`);
  }
  const results = [];
  for (const [name, send] of endpoints) results.push(await runLoad(name, send, { concurrency, seconds }));
  console.log(
    `${concurrency} concurrent anonymous clients, ${seconds} s each, workerd via Miniflare (its local cache)`,
  );
  printResults(results);
} finally {
  await app.stop();
}

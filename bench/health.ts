// `npm run bench`: the baseline every later figure is read against. /health/live touches nothing (the
// ceiling that `wrangler dev` itself allows); /health runs one SELECT through the Neon HTTP driver.
import { devServer } from "./dev-server.ts";
import { printResults, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);
const server = await devServer();
try {
  const get = (path: string) => () => fetch(`${server.url}${path}`);
  await runLoad("warm-up", get("/health"), { concurrency, seconds: 2 });
  const results = [
    await runLoad("GET /health/live (no database)", get("/health/live"), { concurrency, seconds }),
    await runLoad("GET /health (one SELECT, HTTP driver)", get("/health"), { concurrency, seconds }),
  ];
  console.log(`${concurrency} concurrent clients, ${seconds} s each, against ${server.url} (wrangler dev)`);
  printResults(results);
} finally {
  await server.stop();
}

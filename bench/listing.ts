// `npm run bench:listing`: what a page of GET /v1/notes costs as a user's notes grow. One user gets
// BENCH_NOTES notes (10,000, inserted in SQL; another user as many beside them), then the first page, a
// page half way down (by its cursor), a page by creation time and a search are read by
// BENCH_CONCURRENCY clients: req/s, p50 and p99. A page should cost the same whatever the count: each
// half of the readable-notes union walks its index and stops after a page (selectPage); a search ranks
// every match, so it grows with them.
import pg from "pg";
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { printResults, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 4);
const count = Number(process.env.BENCH_NOTES ?? 10_000);

const app = await startBenchApp();
try {
  const { call } = await signedInUser(app.url, "reader@example.com");
  await signedInUser(app.url, "someone-else@example.com");
  const client = new pg.Client({ connectionString: app.databaseUrl });
  await client.connect();
  try {
    // Each user's notes, a second apart, most recent first; the other user's as many again.
    await client.query(
      `insert into notes (id, owner_id, title, content, tags, created_at, updated_at)
       select gen_random_uuid(), u.id, 'Note ' || g, 'Words about topic ' || (g % 17), '{}', now() - g * interval '1 second', now() - g * interval '1 second'
       from users u cross join generate_series(1, $1::int) g`,
      [count],
    );
    await client.query("analyze notes");
  } finally {
    await client.end();
  }
  const page = async (query: string) => {
    const response = await call(`/v1/notes?${query}`);
    if (!response.ok) throw new Error(`GET /v1/notes?${query}: ${response.status}`);
    return (await response.json()) as { nextCursor: string | null };
  };
  // A cursor half way down, reached 100 notes at a time (count / 200 pages).
  let cursor = (await page("limit=100")).nextCursor;
  for (let i = 1; i < count / 200 && cursor; i++) cursor = (await page(`limit=100&cursor=${cursor}`)).nextCursor;
  const endpoints: [string, string][] = [
    ["first page (limit=20)", "limit=20"],
    [`page at note ${count / 2}`, `limit=20&cursor=${cursor}`],
    ["first page by creation time", "limit=20&sort=created"],
    ["search (q=topic, ranked)", "limit=20&q=topic"],
  ];
  const results = [];
  for (const [name, query] of endpoints) {
    await page(query);
    results.push(await runLoad(name, () => call(`/v1/notes?${query}`), { concurrency, seconds }));
  }
  console.log(`GET /v1/notes for a user with ${count} notes, ${concurrency} clients, ${seconds} s each`);
  printResults(results);
} finally {
  await app.stop();
}

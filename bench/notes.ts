// `npm run bench:notes`: the notes endpoints under a bounded local load, and the database round trips
// each request costs, against the production bundle in workerd and a local PostgreSQL.
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { printResults, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);

const app = await startBenchApp();
try {
  const { authorization } = await signedInUser(app.url);
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: { authorization, "content-type": "application/json", ...init.headers },
    });
  const newNote = (i: number) =>
    call("/v1/notes", {
      method: "POST",
      body: JSON.stringify({ title: `Note ${i}`, content: `Some words about topic ${i % 17}`, tags: [`t${i % 5}`] }),
    });

  const ids: string[] = [];
  for (let i = 0; i < 200; i++) ids.push(((await (await newNote(i)).json()) as { id: string }).id);
  // Each client edits a note of its own, carrying the ETag from one PATCH to the next.
  const etags = ids.slice(0, concurrency).map(() => '"v1"');

  const endpoints: [string, (client: number) => Promise<Response>][] = [
    ["GET /v1/notes/{id}", (client) => call(`/v1/notes/${ids[client + concurrency]}`)],
    ["GET /v1/notes?limit=20", () => call("/v1/notes?limit=20")],
    ["POST /v1/notes", (client) => newNote(client)],
    [
      "PATCH /v1/notes/{id} with If-Match",
      async (client) => {
        const response = await call(`/v1/notes/${ids[client]}`, {
          method: "PATCH",
          headers: { "If-Match": etags[client] ?? "" },
          body: JSON.stringify({ content: `edited at ${Date.now()}` }),
        });
        etags[client] = response.headers.get("etag") ?? etags[client] ?? "";
        return response;
      },
    ],
  ];

  console.log("database round trips per request (counted at the local Neon endpoint):");
  for (const [name, send] of endpoints) {
    const before = await app.roundTrips();
    await (await send(0)).arrayBuffer();
    console.log(`  ${name.padEnd(40)} ${(await app.roundTrips()) - before}`);
  }

  await runLoad("warm-up", endpoints[0]?.[1] ?? (() => call("/health")), { concurrency, seconds: 2 });
  const results = [
    await runLoad("GET /health/live (no database)", () => fetch(`${app.url}/health/live`), { concurrency, seconds }),
  ];
  for (const [name, send] of endpoints) results.push(await runLoad(name, send, { concurrency, seconds }));
  console.log(`${concurrency} concurrent clients, ${seconds} s each, workerd via Miniflare (no wrangler dev proxy)`);
  printResults(results);
} finally {
  await app.stop();
}

// `npm run bench:notes`: the notes endpoints under a bounded local load, and the database round trips
// each request costs, against the production bundle in workerd and a local PostgreSQL. Each note
// endpoint runs twice: on the caller's own loose notes, and as an editor reaching notes through a
// notebook membership, so the cost of the role lookup is visible.
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { printResults, runLoad } from "./load.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 10);

const post = (body: unknown): RequestInit => ({ method: "POST", body: JSON.stringify(body) });

const app = await startBenchApp();
try {
  const owner = (await signedInUser(app.url)).call;
  const member = (await signedInUser(app.url, "member@example.com")).call;

  // The owner's notebook, shared with the member as editor the way users do it: invite, then accept.
  const notebook = (await (await owner("/v1/notebooks", post({ name: "Team" }))).json()) as { id: string };
  await owner(`/v1/notebooks/${notebook.id}/invitations`, post({ email: "member@example.com", role: "editor" }));
  const invitations = (await (await member("/v1/invitations")).json()) as { items: { id: string }[] };
  await member(`/v1/invitations/${invitations.items[0]?.id}/accept`, { method: "POST" });

  const endpoints: [string, (client: number) => Promise<Response>][] = [];
  for (const [label, call, notebookId] of [
    ["own", owner, null],
    ["via membership", member, notebook.id],
  ] as const) {
    const note = (i: number) =>
      post({ title: `Note ${i}`, content: `Some words about topic ${i % 17}`, tags: [`t${i % 5}`], notebookId });
    // The notebook's notes are written by its owner, so the member reaches them only through the membership.
    const author = notebookId ? owner : call;
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) ids.push(((await (await author("/v1/notes", note(i))).json()) as { id: string }).id);
    // Each client edits a note of its own, carrying the ETag from one PATCH to the next.
    const etags = ids.slice(0, concurrency).map(() => '"v1"');
    const listing = notebookId ? `/v1/notes?limit=20&scope=shared` : "/v1/notes?limit=20&scope=own";
    endpoints.push(
      [`GET /v1/notes/{id} (${label})`, (client) => call(`/v1/notes/${ids[client + concurrency]}`)],
      [`GET ${listing} (${label})`, () => call(listing)],
      [`POST /v1/notes (${label})`, (client) => call("/v1/notes", note(client))],
      [
        `PATCH /v1/notes/{id} with If-Match (${label})`,
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
    );
  }

  console.log("database round trips per request (counted at the local Neon endpoint):");
  for (const [name, send] of endpoints) {
    const before = await app.roundTrips();
    await (await send(0)).arrayBuffer();
    console.log(`  ${name.padEnd(58)} ${(await app.roundTrips()) - before}`);
  }

  await runLoad("warm-up", endpoints[0]?.[1] ?? (() => fetch(`${app.url}/health`)), { concurrency, seconds: 2 });
  const results = [
    await runLoad("GET /health/live (no database)", () => fetch(`${app.url}/health/live`), { concurrency, seconds }),
  ];
  for (const [name, send] of endpoints) results.push(await runLoad(name, send, { concurrency, seconds }));
  console.log(`${concurrency} concurrent clients, ${seconds} s each, workerd via Miniflare (no wrangler dev proxy)`);
  printResults(results);
} finally {
  await app.stop();
}

// `npm run bench:revisions`: what history costs in storage. One 10 KB note edited 1,000 times, by two
// people taking turns (so no edit merges: the worst case), then by one person in a burst (every edit
// within the merge window), measuring note_revisions' size in PostgreSQL, TOAST and indexes included,
// before and after the sweep's pruning to the newest 100.
import pg from "pg";
import { signedInUser, startBenchApp } from "./bench-app.ts";

const EDITS = 1000;
const NOTE_BYTES = 10 * 1024;
// Random letters: text that compresses about as well as prose does not flatter the figure.
const randomText = (length: number) =>
  Array.from({ length }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");

const app = await startBenchApp();
const db = new pg.Client({ connectionString: app.databaseUrl });
await db.connect();
try {
  const owner = (await signedInUser(app.url)).call;
  const editor = (await signedInUser(app.url, "editor@example.com")).call;
  const { id: notebookId } = (await (
    await owner("/v1/notebooks", { method: "POST", body: JSON.stringify({ name: "N" }) })
  ).json()) as { id: string };
  await owner(`/v1/notebooks/${notebookId}/invitations`, {
    method: "POST",
    body: JSON.stringify({ email: "editor@example.com", role: "editor" }),
  });
  const invitations = (await (await editor("/v1/invitations")).json()) as { items: { id: string }[] };
  await editor(`/v1/invitations/${invitations.items[0]?.id}/accept`, { method: "POST" });

  const size = async () => {
    const { rows } = await db.query(
      "select pg_total_relation_size('note_revisions')::float8 as bytes, count(*)::int as n from note_revisions",
    );
    return rows[0] as { bytes: number; n: number };
  };
  const edit = (who: typeof owner, noteId: string) =>
    who(`/v1/notes/${noteId}`, { method: "PATCH", body: JSON.stringify({ content: randomText(NOTE_BYTES) }) });
  const newNote = async () =>
    (
      (await (
        await owner("/v1/notes", {
          method: "POST",
          body: JSON.stringify({ title: "Big", content: randomText(NOTE_BYTES), notebookId }),
        })
      ).json()) as { id: string }
    ).id;

  const report = (label: string, before: { bytes: number; n: number }, after: { bytes: number; n: number }) =>
    console.log(
      `${label.padEnd(58)} ${String(after.n - before.n).padStart(5)} revisions ${((after.bytes - before.bytes) / 1024 / 1024).toFixed(2).padStart(7)} MiB`,
    );

  let before = await size();
  const alternating = await newNote();
  for (let i = 0; i < EDITS; i++) await edit(i % 2 ? owner : editor, alternating);
  const worst = await size();
  report(`${EDITS} edits of a 10 KB note, two people taking turns`, before, worst);

  before = worst;
  const burst = await newNote();
  for (let i = 0; i < EDITS; i++) await edit(owner, burst);
  report(`${EDITS} edits of a 10 KB note, one person within a minute`, before, await size());

  const deleted = await db.query(
    "delete from note_revisions r using (select id, row_number() over (partition by note_id order by version desc) as newer from note_revisions) x where r.id = x.id and x.newer > 100",
  );
  await db.query("vacuum full note_revisions");
  const pruned = await size();
  console.log(
    `after pruning to the newest 100 per note (${deleted.rowCount} rows deleted), vacuumed: ${pruned.n} revisions, ${(pruned.bytes / 1024 / 1024).toFixed(2)} MiB`,
  );
} finally {
  await db.end();
  await app.stop();
}

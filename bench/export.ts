// `npm run bench:export`: GET /v1/export of 5,000 notes and 200 MiB of attachments (200 files of 1 MiB),
// then POST /v1/import of that zip into another account: throughput, and workerd's peak resident memory
// above its level before each request (workerd here also hosts the local R2 simulator, whose buffers
// count too). A Worker may use 128 MB; the figure that matters is that the peak does not grow with the
// archive. Notes are written straight into PostgreSQL, attachments through the API (R2 is workerd's).
import { createHash, randomFillSync } from "node:crypto";
import pg from "pg";
import { readZipDirectory } from "../src/archive/zip-reader.ts";
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { peakResidentDuring, residentBytes, workerdPid } from "./process-memory.ts";

const MiB = 1024 * 1024;
const NOTES = Number(process.env.BENCH_EXPORT_NOTES ?? 5000);
const FILES = Number(process.env.BENCH_EXPORT_FILES ?? 200);
const FILE_BYTES = MiB;

// A 200 MiB zip is past the default MAX_IMPORT_BYTES (100 MB, Free and Pro); Enterprise takes 500 MB.
const app = await startBenchApp({ settings: { MAX_IMPORT_BYTES: "500000000" } });
try {
  const owner = await signedInUser(app.url, "exporter@example.com");
  const me = (await (await owner.call("/v1/users/me")).json()) as { id: string };
  const db = new pg.Client({ connectionString: app.databaseUrl });
  await db.connect();
  const paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(18); // ~1 KiB
  await db.query(
    `insert into notes (owner_id, title, content, tags)
     select $1, 'Note ' || n, $2 || n, array['bench', 'tag' || (n % 10)] from generate_series(1, $3) n`,
    [me.id, paragraph, NOTES],
  );
  const { rows } = await db.query<{ id: string }>("select id from notes where owner_id = $1 limit $2", [me.id, FILES]);
  await db.end();
  const file = randomFillSync(new Uint8Array(FILE_BYTES));
  for (const { id } of rows) {
    const response = await fetch(`${app.url}/v1/notes/${id}/attachments?filename=photo.jpg`, {
      method: "POST",
      body: file,
      headers: { authorization: owner.authorization, "content-type": "image/jpeg" },
    });
    if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  }

  const pid = workerdPid();
  const before = residentBytes(pid);
  const started = performance.now();
  const exported = await peakResidentDuring(pid, async () => {
    const response = await fetch(`${app.url}/v1/export`, { headers: { authorization: owner.authorization } });
    if (response.status !== 200) throw new Error(`export: ${response.status} ${await response.text()}`);
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body ?? []) chunks.push(chunk);
    return Buffer.concat(chunks);
  });
  const exportSeconds = (performance.now() - started) / 1000;
  const archive = new Uint8Array(exported.result);
  const entries = await readZipDirectory(
    { size: archive.byteLength, read: async (offset, length) => archive.subarray(offset, offset + length) },
    { maxEntries: 100_000, maxDirectoryBytes: 64 * MiB },
  );
  const notesIn = entries.filter((entry) => entry.name.endsWith(".md")).length;
  if (notesIn !== NOTES) throw new Error(`the export holds ${notesIn} notes, not ${NOTES}`);

  const importer = await signedInUser(app.url, "importer@example.com");
  const beforeImport = residentBytes(pid);
  const importStarted = performance.now();
  const imported = await peakResidentDuring(pid, async () => {
    const response = await fetch(`${app.url}/v1/import`, {
      method: "POST",
      body: archive,
      headers: { authorization: importer.authorization, "content-type": "application/zip" },
    });
    if (response.status !== 200) throw new Error(`import: ${response.status} ${await response.text()}`);
    return (await response.json()) as { created: number };
  });
  const importSeconds = (performance.now() - importStarted) / 1000;
  if (imported.result.created !== NOTES) throw new Error(`imported ${imported.result.created} notes`);

  const size = archive.byteLength / MiB;
  console.log(
    `export and import of ${NOTES} notes and ${FILES} attachments of ${FILE_BYTES / MiB} MiB: a ${size.toFixed(1)} MiB zip ` +
      `(sha256 ${createHash("sha256").update(archive).digest("hex").slice(0, 12)}…), workerd via Miniflare, local R2 and PostgreSQL`,
  );
  const row = (label: string, seconds: number, peak: number, base: number) =>
    console.log(
      `  ${label.padEnd(8)} ${seconds.toFixed(2).padStart(7)} s ${(size / seconds).toFixed(1).padStart(7)} MiB/s ` +
        `  peak RSS +${((peak - base) / MiB).toFixed(1)} MiB above ${(base / MiB).toFixed(0)} MiB`,
    );
  row("export", exportSeconds, exported.peak, before);
  row("import", importSeconds, imported.peak, beforeImport);
} finally {
  await app.stop();
}

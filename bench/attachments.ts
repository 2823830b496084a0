// `npm run bench:attachments`: upload and download throughput for files of 1 to 20 MiB with the peak
// resident memory of workerd meanwhile (which here also hosts the local R2 simulator), and first the
// upload path alone in front of a bucket that keeps nothing, from 1 to 200 MiB, beside two references:
// a body read whole into memory, and a tee into native streams with no JavaScript per chunk. workerd's
// memory includes garbage not yet collected, so the telling figure is how it grows with the file.
import { createHash, randomFillSync } from "node:crypto";
import { signedInUser, startBenchApp } from "./bench-app.ts";
import { peakResidentDuring, residentBytes, workerdPid } from "./process-memory.ts";
import { startProductionWorker } from "./production-worker.ts";

const MiB = 1024 * 1024;
const LABELS = {
  raw: "raw upload (our path)",
  multipart: "multipart upload (our path)",
  native: "reference: tee to native streams",
  buffered: "reference: whole body in memory",
};

const sizes = [1, 5, 10, 20].map((n) => n * MiB);

await measureOurCodeAlone();

const app = await startBenchApp();
try {
  const { authorization } = await signedInUser(app.url);
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${app.url}${path}`, { ...init, headers: { authorization, ...init.headers } });
  const note = (await (
    await call("/v1/notes", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: "bench", content: "" }),
    })
  ).json()) as { id: string };
  const pid = workerdPid();
  const rows: string[][] = [];

  for (const [mode, size] of [...sizes.map((size) => ["raw", size] as const), ["multipart", 20 * MiB] as const]) {
    const bytes = randomFillSync(new Uint8Array(size));
    const expectedSha = createHash("sha256").update(bytes).digest("hex");
    const baseline = residentBytes(pid);

    const startedUp = performance.now();
    const up = await peakResidentDuring(pid, async () => {
      const body = mode === "raw" ? bytes : formWith(bytes);
      const response = await call(`/v1/notes/${note.id}/attachments?filename=bench.bin`, { method: "POST", body });
      if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; sha256: string };
    });
    const upSeconds = (performance.now() - startedUp) / 1000;
    if (up.result.sha256 !== expectedSha) throw new Error("the stored SHA-256 does not match the bytes");

    const startedDown = performance.now();
    const down = await peakResidentDuring(pid, async () => {
      const response = await call(`/v1/notes/${note.id}/attachments/${up.result.id}`);
      return new Uint8Array(await response.arrayBuffer());
    });
    const downSeconds = (performance.now() - startedDown) / 1000;
    if (createHash("sha256").update(down.result).digest("hex") !== expectedSha) throw new Error("download differs");

    await call(`/v1/notes/${note.id}/attachments/${up.result.id}`, { method: "DELETE" });
    rows.push([
      `${mode} ${size / MiB} MiB`,
      (size / MiB / upSeconds).toFixed(1),
      (size / MiB / downSeconds).toFixed(1),
      ((up.peak - baseline) / MiB).toFixed(1),
      ((down.peak - baseline) / MiB).toFixed(1),
      (baseline / MiB).toFixed(0),
    ]);
  }

  console.log("workerd via Miniflare (production bundle), local R2 and PostgreSQL, one request at a time");
  const header = ["file", "up MiB/s", "down MiB/s", "peak +RSS up MiB", "peak +RSS down MiB", "RSS before MiB"];
  console.log(header.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(19))).join(""));
  for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(16) : cell.padStart(19))).join(""));
} finally {
  await app.stop();
}

function formWith(bytes: Uint8Array): FormData {
  const form = new FormData();
  form.append("file", new Blob([bytes]), "bench.bin");
  return form;
}

/**
 * The upload path in front of a discarding bucket: what our code alone holds while a file streams
 * through. A fresh workerd for every figure, so memory kept from an earlier request cannot blur it.
 */
async function measureOurCodeAlone() {
  console.log("upload path alone (bucket that keeps nothing): workerd's peak resident memory above its idle level");
  for (const mode of ["raw", "multipart", "buffered", "native"] as const) {
    const figures: string[] = [];
    for (const size of [1, 5, 20, 50, 100, 200].map((n) => n * MiB)) {
      const worker = await startProductionWorker({ entry: "bench/workers/upload-sink.ts" });
      try {
        const pid = workerdPid();
        await fetch(worker.url, { method: "POST", body: new Uint8Array(1) }); // load the script first
        const bytes = randomFillSync(new Uint8Array(size));
        const baseline = residentBytes(pid);
        const { result, peak } = await peakResidentDuring(pid, async () => {
          const url = mode === "buffered" || mode === "native" ? `${worker.url}/?${mode}` : worker.url;
          const response = await fetch(url, { method: "POST", body: mode === "multipart" ? formWith(bytes) : bytes });
          return (await response.json()) as { size: number };
        });
        if (result.size !== size) throw new Error(`sink saw ${result.size} bytes, sent ${size}`);
        figures.push(`${size / MiB} MiB: +${((peak - baseline) / MiB).toFixed(1)} MiB`);
      } finally {
        await worker.stop();
      }
    }
    console.log(`  ${LABELS[mode].padEnd(34)} ${figures.join("  ")}`);
  }
}

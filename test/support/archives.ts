import { makeZip } from "client-zip";
import { expect } from "vitest";
import { readZipDirectory, readZipEntry } from "../../src/archive/zip-reader";
import type { ImportReport } from "../../src/routes/exports/export.schemas";
import type { Requester } from "./accounts";

/** A zip of these files, as client-zip writes it (stored, with data descriptors). */
export async function zipOf(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const entries = Object.entries(files).map(([name, input]) => ({ name, input, lastModified: new Date(0) }));
  return new Uint8Array(await new Response(makeZip(entries)).arrayBuffer());
}

/** Every file of a zip by path, read with the app's own reader. */
export async function unzip(bytes: Uint8Array): Promise<Map<string, Uint8Array>> {
  const source = {
    size: bytes.byteLength,
    read: async (offset: number, length: number) => bytes.slice(offset, offset + length),
  };
  const entries = await readZipDirectory(source, { maxEntries: 100_000, maxDirectoryBytes: 64 * 1024 * 1024 });
  const files = new Map<string, Uint8Array>();
  for (const entry of entries) {
    if (!entry.directory) files.set(entry.name, await readZipEntry(source, entry, entry.size));
  }
  return files;
}

export const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/** GET /v1/export (with `query`) as a map of its files. */
export async function exportOf(request: Requester, query = ""): Promise<Map<string, Uint8Array>> {
  const response = await request(`/v1/export${query}`);
  if (response.status !== 200) expect.fail(`export: ${response.status} ${await response.text()}`);
  return unzip(new Uint8Array(await response.arrayBuffer()));
}

/** A POST of a zip's bytes. */
export const zipBody = (bytes: Uint8Array, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  body: bytes,
  headers: { "Content-Type": "application/zip", "Content-Length": String(bytes.byteLength), ...headers },
});

/** POST /v1/import of a zip's bytes. */
export function importZip(request: Requester, bytes: Uint8Array, query = "", headers: Record<string, string> = {}) {
  return request(`/v1/import${query}`, zipBody(bytes, headers));
}

export async function imported(response: Response): Promise<ImportReport> {
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<ImportReport>();
}

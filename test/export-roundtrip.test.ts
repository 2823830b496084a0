import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readMarkdown } from "../src/archive/front-matter";
import type { Manifest } from "../src/archive/manifest";
import { type Account, signUp } from "./support/accounts";
import { imported, importZip, text, unzip } from "./support/archives";
import { sha256Hex, upload } from "./support/attachments";
import { createNotebook } from "./support/notebooks";
import { createNote } from "./support/notes";

/** Text the API takes: well-formed, no U+0000; any other code point, \r and `---` lines included. */
const apiText = (constraints: { minLength?: number; maxLength: number }) =>
  fc.string({ unit: "binary", ...constraints }).filter((value) => value.isWellFormed() && !value.includes("\0"));

const noteArbitrary = fc.record({
  title: apiText({ minLength: 1, maxLength: 40 }).filter((title) => title.trim() !== ""),
  content: fc.oneof(apiText({ maxLength: 300 }), fc.constant("---\ntitle: not mine\n---\n\r\n")),
  tags: fc.uniqueArray(
    apiText({ minLength: 1, maxLength: 10 }).filter((tag) => tag.trim() !== ""),
    { maxLength: 3 },
  ),
  pinned: fc.boolean(),
  notebook: fc.option(fc.constantFrom("Alpha", "Beta/Gamma", "δ", "alpha"), { nil: undefined }),
  attachments: fc.array(
    fc.record({
      filename: fc.constantFrom("a.txt", "b.png", "same name.bin"),
      bytes: fc.uint8Array({ maxLength: 4000 }),
    }),
    { maxLength: 2 },
  ),
});

async function exportBytes(account: Account): Promise<Uint8Array> {
  const response = await account.request("/v1/export");
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

/** What must survive a round trip, per note, in a stable order: everything but ids and paths. */
async function contentsOf(archive: Uint8Array) {
  const files = await unzip(archive);
  const manifest = JSON.parse(text(files.get("manifest.json"))) as Manifest;
  const notes = await Promise.all(
    manifest.notes.map(async (entry) => {
      const { frontMatter, body } = readMarkdown(text(files.get(entry.path)));
      const { id: _, notebookId: __, attachments: ___, ...fields } = frontMatter;
      return {
        ...fields,
        content: body,
        notebook: entry.notebook?.name ?? null,
        attachments: await Promise.all(
          entry.attachments.map(async ({ filename, contentType, size, sha256, path }) => ({
            filename,
            contentType,
            size,
            sha256,
            bytes: await sha256Hex(files.get(path) ?? new Uint8Array()),
          })),
        ),
      };
    }),
  );
  return notes.map((note) => JSON.stringify(note)).sort();
}

describe("export, import, export", () => {
  it("gives back the same notes, tags and bytes", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(noteArbitrary, { minLength: 1, maxLength: 4 }), async (notes) => {
        const source = await signUp();
        const notebooks = new Map<string, string>();
        for (const note of notes) {
          let notebookId: string | undefined;
          if (note.notebook) {
            notebookId = notebooks.get(note.notebook) ?? (await createNotebook(source, note.notebook)).id;
            notebooks.set(note.notebook, notebookId);
          }
          const created = await createNote(source.request, {
            ...note,
            attachments: undefined,
            notebook: undefined,
            notebookId,
          });
          for (const attachment of note.attachments) {
            await upload(source.request, created.id, attachment.bytes, attachment.filename);
          }
        }
        const first = await exportBytes(source);
        const target = await signUp();
        expect((await imported(await importZip(target.request, first))).created).toBe(notes.length);
        const second = await exportBytes(target);
        expect(await contentsOf(second)).toEqual(await contentsOf(first));
      }),
      { numRuns: 12 },
    );
  });
});

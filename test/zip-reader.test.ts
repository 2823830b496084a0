import { env } from "cloudflare:workers";
import { makeZip } from "client-zip";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ArchiveSource,
  openZipEntry,
  readZipDirectory,
  readZipEntry,
  ZipFormatError,
} from "../src/archive/zip-reader";

const LIMITS = { maxEntries: 10_000, maxDirectoryBytes: 1024 * 1024 };
const MiB = 1024 * 1024;
const encode = (text: string) => new TextEncoder().encode(text);

/** An archive in memory, counting the reads made of it. */
function memorySource(bytes: Uint8Array): ArchiveSource & { reads: Array<[offset: number, length: number]> } {
  const reads: Array<[number, number]> = [];
  return {
    size: bytes.byteLength,
    reads,
    async read(offset, length) {
      reads.push([offset, length]);
      return bytes.slice(offset, offset + length);
    },
  };
}

/** The R2 shape an app would write: one ranged GET per read. */
function r2Source(bucket: R2Bucket, key: string, size: number): ArchiveSource {
  return {
    size,
    async read(offset, length) {
      const object = await bucket.get(key, { range: { offset, length } });
      if (!object) throw new Error(`${key} is gone`);
      return new Uint8Array(await object.arrayBuffer());
    },
  };
}

async function clientZip(files: Parameters<typeof makeZip>[0]): Promise<Uint8Array> {
  return new Uint8Array(await new Response(makeZip(files)).arrayBuffer());
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; chunks: number }> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { bytes: new Uint8Array(await new Blob(chunks).arrayBuffer()), chunks: chunks.length };
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return (await bytesOf(stream)).bytes;
}

/** Where two byte arrays first differ (-1: identical), as large arrays are too much for `toEqual`'s diff. */
function firstDifference(actual: Uint8Array, expected: Uint8Array): number {
  if (actual.byteLength !== expected.byteLength) return Math.min(actual.byteLength, expected.byteLength);
  return actual.findIndex((byte, at) => byte !== expected[at]);
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return bytes;
}

/** Little-endian fields, each [width in bytes, value]. */
function fields(...values: Array<[2 | 4 | 8, number]>): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.reduce((total, [width]) => total + width, 0)));
  let at = 0;
  for (const [width, value] of values) {
    if (width === 2) out.setUint16(at, value, true);
    else if (width === 4) out.setUint32(at, value, true);
    else out.setBigUint64(at, BigInt(value), true);
    at += width;
  }
  return new Uint8Array(out.buffer);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

interface HandEntry {
  name: string | Uint8Array;
  data: Uint8Array;
  deflate?: boolean;
  /** Stored as data but declared with this size, to make liars. */
  declaredSize?: number;
  flags?: number;
  /** Extra bytes in the local header only (the central one has none of them). */
  localExtra?: Uint8Array;
}

/** A zip written field by field: deflated entries, ZIP64 records, names without the UTF-8 flag. */
async function handZip(entries: HandEntry[], options: { zip64?: boolean; comment?: string } = {}): Promise<Uint8Array> {
  const wide = options.zip64 === true;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === "string" ? encode(entry.name) : entry.name;
    const data = entry.deflate ? await deflateRaw(entry.data) : entry.data;
    const size = entry.declaredSize ?? entry.data.byteLength;
    const [method, flags, extra] = [entry.deflate ? 8 : 0, entry.flags ?? 0, entry.localExtra ?? new Uint8Array()];
    const sizes: Array<[4, number]> = wide
      ? [
          [4, 0xffffffff],
          [4, 0xffffffff],
        ]
      : [
          [4, data.byteLength],
          [4, size],
        ];
    parts.push(
      fields(
        [4, 0x04034b50],
        [2, 45],
        [2, flags],
        [2, method],
        [4, 0],
        [4, 0],
        ...sizes,
        [2, name.byteLength],
        [2, extra.byteLength],
      ),
    );
    parts.push(name, extra, data);
    const zip64Extra = wide ? fields([2, 1], [2, 24], [8, size], [8, data.byteLength], [8, offset]) : new Uint8Array();
    central.push(
      fields([4, 0x02014b50], [2, 45], [2, 45], [2, flags], [2, method], [4, 0], [4, 0], ...sizes.slice(0, 1), [
        4,
        wide ? 0xffffffff : size,
      ]),
      fields(
        [2, name.byteLength],
        [2, zip64Extra.byteLength],
        [2, 0],
        [2, 0],
        [2, 0],
        [4, 0],
        [4, wide ? 0xffffffff : offset],
      ),
      name,
      zip64Extra,
    );
    offset += 30 + name.byteLength + extra.byteLength + data.byteLength;
  }
  const directory = concat(central);
  const comment = encode(options.comment ?? "");
  const [count, size] = [entries.length, directory.byteLength];
  const zip64End = wide
    ? [
        fields(
          [4, 0x06064b50],
          [8, 44],
          [2, 45],
          [2, 45],
          [4, 0],
          [4, 0],
          [8, count],
          [8, count],
          [8, size],
          [8, offset],
        ),
        fields([4, 0x07064b50], [4, 0], [8, offset + size], [4, 1]),
      ]
    : [];
  const end = wide
    ? fields(
        [4, 0x06054b50],
        [2, 0xffff],
        [2, 0xffff],
        [2, 0xffff],
        [2, 0xffff],
        [4, 0xffffffff],
        [4, 0xffffffff],
        [2, comment.byteLength],
      )
    : fields([4, 0x06054b50], [2, 0], [2, 0], [2, count], [2, count], [4, size], [4, offset], [2, comment.byteLength]);
  return concat([...parts, directory, ...zip64End, end, comment]);
}

/** `bytes` with little-endian `value` written at `at` (a negative `at` counts from the end). */
function patched(bytes: Uint8Array, at: number, width: 2 | 4, value: number): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const position = at < 0 ? copy.byteLength + at : at;
  if (width === 2) view.setUint16(position, value, true);
  else view.setUint32(position, value, true);
  return copy;
}

/** Where the (only) central directory starts, read from an end record with no comment. */
const directoryOffset = (bytes: Uint8Array) => new DataView(bytes.buffer).getUint32(bytes.byteLength - 6, true);

async function refusal(work: Promise<unknown>): Promise<ZipFormatError> {
  const error = await work.then(
    () => new Error("expected a ZipFormatError, but it succeeded"),
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof ZipFormatError)) throw error;
  return error;
}

const entryNamed = <Entry extends { name: string }>(entries: Entry[], name: string): Entry => {
  const found = entries.find((entry) => entry.name === name);
  if (!found) throw new Error(`no entry ${name} among ${entries.map((entry) => entry.name).join(", ")}`);
  return found;
};

describe("reading client-zip archives", () => {
  it("lists every entry in order: UTF-8 names, an empty file, a directory", async () => {
    const archive = await clientZip([
      { name: "notes/café ☕.md", input: "# Café\n" },
      { name: "日本語/メモ.txt", input: "こんにちは" },
      { name: "empty.txt", input: new Uint8Array() },
      { name: "attachments/" },
    ]);
    const source = memorySource(archive);
    const entries = await readZipDirectory(source, LIMITS);

    expect(entries.map(({ name, directory, method, size }) => ({ name, directory, method, size }))).toEqual([
      { name: "notes/café ☕.md", directory: false, method: 0, size: 8 },
      { name: "日本語/メモ.txt", directory: false, method: 0, size: 15 },
      { name: "empty.txt", directory: false, method: 0, size: 0 },
      { name: "attachments/", directory: true, method: 0, size: 0 },
    ]);
    expect(source.reads).toHaveLength(1); // the tail holds the whole directory of a small archive
    const texts = await Promise.all(
      entries.map(async (entry) => new TextDecoder().decode(await readZipEntry(source, entry, 100))),
    );
    expect(texts).toEqual(["# Café\n", "こんにちは", "", ""]);
  });

  it("streams a multi-MiB entry in bounded chunks, identical byte for byte", async () => {
    const big = randomBytes(5 * MiB + 123);
    const archive = await clientZip([
      { name: "small.md", input: "before" },
      { name: "big.bin", input: big },
      { name: "after.md", input: "after" },
    ]);
    const source = memorySource(archive);
    const entry = entryNamed(await readZipDirectory(source, LIMITS), "big.bin");
    expect(entry).toMatchObject({ size: big.byteLength, compressedSize: big.byteLength, encrypted: false });

    source.reads.length = 0;
    const { bytes, chunks } = await bytesOf(openZipEntry(source, entry));
    expect(firstDifference(bytes, big)).toBe(-1);
    expect(chunks).toBe(6);
    expect(Math.max(...source.reads.map(([, length]) => length))).toBeLessThanOrEqual(MiB);
  });

  it("reads the directory with one more read when it lies before the tail", async () => {
    const files = Array.from({ length: 1500 }, (_, index) => ({
      name: `notes/${String(index).padStart(40, "0")}.md`,
      input: "x",
    }));
    const source = memorySource(await clientZip(files));
    const entries = await readZipDirectory(source, LIMITS);
    expect(entries).toHaveLength(1500);
    expect(source.reads).toHaveLength(2);
  });
});

describe("reading what other zip writers produce", () => {
  it("inflates DEFLATE entries, small and large", async () => {
    const text = encode("Deflated text. ".repeat(1000));
    const large = encode("A line that repeats, so it compresses well.\n".repeat(200_000)); // about 8.8 MiB
    const source = memorySource(
      await handZip([
        { name: "text.md", data: text, deflate: true },
        { name: "large.txt", data: large, deflate: true },
        { name: "empty.md", data: new Uint8Array(), deflate: true },
      ]),
    );
    const [first, second, third] = await readZipDirectory(source, LIMITS);
    if (!first || !second || !third) throw new Error("three entries expected");
    expect(first).toMatchObject({ method: 8, size: text.byteLength });
    expect(first.compressedSize).toBeLessThan(text.byteLength / 10);
    expect(await readZipEntry(source, first, text.byteLength)).toEqual(text);
    expect(firstDifference((await bytesOf(openZipEntry(source, second))).bytes, large)).toBe(-1);
    expect(await readZipEntry(source, third, 0)).toEqual(new Uint8Array());
  });

  it("finds where data starts from the local header, whose extra field differs from the central one", async () => {
    const source = memorySource(
      await handZip([{ name: "padded.md", data: encode("after padding"), localExtra: new Uint8Array(17).fill(0xaa) }]),
    );
    const [entry] = await readZipDirectory(source, LIMITS);
    if (!entry) throw new Error("one entry expected");
    expect(new TextDecoder().decode(await readZipEntry(source, entry, 100))).toBe("after padding");
  });

  it("reads ZIP64 end records and sizes", async () => {
    const source = memorySource(
      await handZip(
        [
          { name: "a.md", data: encode("first") },
          { name: "b.md", data: encode("second ".repeat(50)), deflate: true },
        ],
        { zip64: true },
      ),
    );
    const entries = await readZipDirectory(source, LIMITS);
    expect(entries.map(({ name, size, localHeaderOffset }) => ({ name, size, localHeaderOffset }))).toEqual([
      { name: "a.md", size: 5, localHeaderOffset: 0 },
      { name: "b.md", size: 350, localHeaderOffset: 39 },
    ]);
    const [, second] = entries;
    if (!second) throw new Error("two entries expected");
    expect(new TextDecoder().decode(await readZipEntry(source, second, 350))).toBe("second ".repeat(50));
  });

  it("decodes names without the UTF-8 flag as CP437 unless they are valid UTF-8", async () => {
    const source = memorySource(
      await handZip([
        { name: new Uint8Array([0x82, 0x74, 0x82, 0x2e, 0x74, 0x78, 0x74, 0xe1]), data: encode("dos") }, // "été.txtß" in CP437
        { name: "naïve.md", data: encode("utf-8 without the flag") },
      ]),
    );
    expect((await readZipDirectory(source, LIMITS)).map((entry) => entry.name)).toEqual(["été.txtß", "naïve.md"]);
  });

  it("finds the end record behind an archive comment, even one that contains its signature", async () => {
    const plain = await handZip([{ name: "a.md", data: encode("commented") }], {
      comment: "Made by hand. PK\u0005\u0006 is the end record's signature.",
    });
    const source = memorySource(plain);
    const [entry] = await readZipDirectory(source, LIMITS);
    if (!entry) throw new Error("one entry expected");
    expect(new TextDecoder().decode(await readZipEntry(source, entry, 100))).toBe("commented");
    expect(source.reads[0]).toEqual([0, plain.byteLength]);
  });

  it("reads an archive in R2 through ranged GETs", async () => {
    const big = randomBytes(3 * MiB);
    const archive = await clientZip([
      { name: "readme.md", input: "# In R2" },
      { name: "big.bin", input: big },
    ]);
    const key = `test/zip-reader/${crypto.randomUUID()}.zip`;
    await env.ATTACHMENTS.put(key, archive);
    try {
      const source = r2Source(env.ATTACHMENTS, key, archive.byteLength);
      const entries = await readZipDirectory(source, LIMITS);
      expect(new TextDecoder().decode(await readZipEntry(source, entryNamed(entries, "readme.md"), 100))).toBe(
        "# In R2",
      );
      const read = await bytesOf(openZipEntry(source, entryNamed(entries, "big.bin")));
      expect(firstDifference(read.bytes, big)).toBe(-1);
    } finally {
      await env.ATTACHMENTS.delete(key);
    }
  });
});

describe("refusing archives that cannot be read", () => {
  it("refuses files that are not zips, empty or truncated", async () => {
    const archive = await clientZip([{ name: "a.md", input: "some text in a zip" }]);
    const candidates = [
      encode("# Just Markdown\n\nNot a zip at all."),
      new Uint8Array(),
      archive.subarray(0, archive.byteLength - 1),
      archive.subarray(0, 40),
      archive.subarray(40),
    ];
    for (const bytes of candidates) {
      const error = await refusal(readZipDirectory(memorySource(bytes), LIMITS));
      expect(error.entry).toBeUndefined();
      expect(error.tooMany).toBe(false);
    }
  });

  it("refuses more entries than allowed from the end record alone, before reading the directory", async () => {
    const files = Array.from({ length: 1500 }, (_, index) => ({
      name: `${String(index).padStart(40, "0")}.md`,
      input: "x",
    }));
    const source = memorySource(await clientZip(files));
    const error = await refusal(readZipDirectory(source, { ...LIMITS, maxEntries: 1499 }));
    expect(error.message).toContain("1500 entries");
    expect(error.tooMany).toBe(true);
    expect(source.reads).toHaveLength(1);
  });

  it("refuses a central directory larger than allowed", async () => {
    const source = memorySource(await clientZip([{ name: "a.md", input: "a" }]));
    const error = await refusal(readZipDirectory(source, { ...LIMITS, maxDirectoryBytes: 40 }));
    expect(error.tooMany).toBe(true);
  });

  it("refuses a central directory that points outside the file", async () => {
    const archive = await clientZip([{ name: "a.md", input: "a" }]);
    for (const offset of [archive.byteLength, 0xfffffff0, directoryOffset(archive) + 1]) {
      await refusal(readZipDirectory(memorySource(patched(archive, -6, 4, offset)), LIMITS));
    }
  });

  it("refuses an entry whose data would lie outside the archive's data", async () => {
    const archive = await clientZip([{ name: "a.md", input: "a" }]);
    const error = await refusal(
      readZipDirectory(memorySource(patched(archive, directoryOffset(archive) + 42, 4, 5000)), LIMITS),
    );
    expect(error.entry).toBe("a.md");
  });

  it("refuses encrypted entries and unknown methods, naming them", async () => {
    const archive = await clientZip([{ name: "secret.md", input: "hidden" }]);
    const flags = new DataView(archive.buffer).getUint16(directoryOffset(archive) + 8, true);
    const cases = [
      { bytes: patched(archive, directoryOffset(archive) + 8, 2, flags | 1), message: "encrypted" },
      { bytes: patched(archive, directoryOffset(archive) + 10, 2, 12), message: "method 12" },
    ];
    for (const { bytes, message } of cases) {
      const source = memorySource(bytes);
      const [entry] = await readZipDirectory(source, LIMITS);
      if (!entry) throw new Error("one entry expected");
      const error = await refusal(readZipEntry(source, entry, 100));
      expect(error.entry).toBe("secret.md");
      expect(error.message).toContain(message);
      await refusal(bytesOf(openZipEntry(source, entry)));
    }
  });

  it("refuses names with NUL and names flagged UTF-8 that are not", async () => {
    for (const name of [encode("evil.md\u0000.exe"), new Uint8Array([0x61, 0xff, 0x2e, 0x6d, 0x64])]) {
      const bytes = await handZip([{ name, data: encode("x"), flags: 0x800 }]);
      const error = await refusal(readZipDirectory(memorySource(bytes), LIMITS));
      expect(error.entry).toBeDefined();
    }
  });

  it("refuses an entry larger than asked for, and one that inflates to another size than declared", async () => {
    const text = encode("x".repeat(100_000));
    const source = memorySource(
      await handZip([
        { name: "big.md", data: text },
        { name: "bomb.md", data: text, deflate: true, declaredSize: 10 },
        { name: "short.md", data: text, deflate: true, declaredSize: text.byteLength + 1 },
      ]),
    );
    const [big, bomb, short] = await readZipDirectory(source, LIMITS);
    if (!big || !bomb || !short) throw new Error("three entries expected");
    expect(await refusal(readZipEntry(source, big, 1000))).toMatchObject({ entry: "big.md", tooMany: true });
    expect(await refusal(readZipEntry(source, bomb, 1000))).toMatchObject({ entry: "bomb.md", tooMany: false });
    expect(await refusal(bytesOf(openZipEntry(source, short)))).toMatchObject({ entry: "short.md" });
  });

  it("refuses deflate data that is not deflate", async () => {
    const archive = await handZip([{ name: "noise.md", data: encode("some text ".repeat(100)), deflate: true }]);
    const source = memorySource(archive);
    const [entry] = await readZipDirectory(source, LIMITS);
    if (!entry) throw new Error("one entry expected");
    const damaged = memorySource(
      archive.map((byte, at) => (at >= 30 + 8 && at < 30 + 8 + entry.compressedSize ? 0xff : byte)),
    );
    expect(await refusal(readZipEntry(damaged, entry, 10_000))).toMatchObject({ entry: "noise.md" });
  });

  it("passes on a failing source as it is, not as a damaged archive", async () => {
    const archive = await handZip([{ name: "a.md", data: encode("text ".repeat(100)), deflate: true }]);
    const [entry] = await readZipDirectory(memorySource(archive), LIMITS);
    if (!entry) throw new Error("one entry expected");
    const failing: ArchiveSource = {
      size: archive.byteLength,
      read: async () => Promise.reject(new Error("R2 is down")),
    };
    await expect(readZipEntry(failing, entry, 10_000)).rejects.toThrow("R2 is down");
  });

  it("answers every damaged archive with a ZipFormatError or its contents, never another error", async () => {
    const archives = [
      await clientZip([
        { name: "notes/a.md", input: "# A\n" },
        { name: "dir/" },
        { name: "b.bin", input: randomBytes(64) },
      ]),
      await handZip(
        [
          { name: "a.md", data: encode("deflated ".repeat(20)), deflate: true },
          { name: "b.md", data: encode("stored") },
        ],
        { zip64: true },
      ),
      await handZip([{ name: "c.md", data: encode("with a comment") }], { comment: "a comment" }),
    ];
    const flip = fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: archives.length - 1 }),
        fc.array(flip, { minLength: 1, maxLength: 6 }),
        fc.option(fc.nat()),
        async (which, flips, cut) => {
          const bytes = (archives[which] ?? new Uint8Array()).slice();
          for (const { at, value } of flips) bytes[at % bytes.byteLength] = value;
          const source = memorySource(cut === null ? bytes : bytes.subarray(0, cut % bytes.byteLength));
          try {
            for (const entry of await readZipDirectory(source, LIMITS)) {
              await bytesOf(openZipEntry(source, entry));
              if (entry.size <= MiB) await readZipEntry(source, entry, MiB);
            }
          } catch (error) {
            if (!(error instanceof ZipFormatError)) throw error;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

// A zip read in place (an R2 object, by range): its central directory from the end, then one entry at a
// time. Every offset and length comes from the archive, so each is checked against what was read before
// it is used: a hostile archive ends in a ZipFormatError, never a RangeError, a loop or a huge buffer.

/** Random access to an archive's bytes, e.g. an R2 object read with `range`. */
export interface ArchiveSource {
  size: number;
  /** `length` bytes from `offset` (may be asked for ranges crossing nothing past size). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ZipEntry {
  /** The path inside the archive, decoded as UTF-8 (flag bit 11, or the bytes are valid UTF-8), else as CP437. */
  name: string;
  directory: boolean; // name ends with "/"
  method: number; // 0 stored, 8 deflate
  compressedSize: number;
  size: number; // uncompressed
  crc32: number;
  localHeaderOffset: number;
  encrypted: boolean; // general purpose flag bit 0
}

/** Why an archive cannot be read, said so a client can fix it; `entry` names the file when one is at fault. */
export class ZipFormatError extends Error {
  override readonly name = "ZipFormatError";
  readonly entry: string | undefined;
  /** Refused for a limit (entries, directory or entry size), not because it is damaged. */
  readonly tooMany: boolean;
  constructor(message: string, entry?: string, tooMany = false) {
    super(message);
    this.entry = entry;
    this.tooMany = tooMany;
  }
}

const EOCD = { signature: 0x06054b50, bytes: 22 };
const ZIP64_LOCATOR = { signature: 0x07064b50, bytes: 20 };
const ZIP64_EOCD = { signature: 0x06064b50, bytes: 56 };
const CENTRAL_HEADER = { signature: 0x02014b50, bytes: 46 };
const LOCAL_HEADER = { signature: 0x04034b50, bytes: 30 };
const TAIL_BYTES = ZIP64_LOCATOR.bytes + EOCD.bytes + 0xffff; // the longest comment
const ZIP64_EXTRA_ID = 0x0001;
const ZIP64_SENTINEL = 0xffffffff;
const [FLAG_ENCRYPTED, FLAG_UTF8] = [0x1, 0x800];
const [STORED, DEFLATE] = [0, 8];
const CHUNK_BYTES = 1024 * 1024;
// Deflate expands up to about 1032 times and a chunk is inflated whole before the size check sees its
// output: slices this small bound that to about 16 MiB, where a 1 MiB chunk could make a gigabyte.
const INFLATE_SLICE_BYTES = 16 * 1024;
const CP437_HIGH_HALF =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

const damaged = (what: string, entry?: string) =>
  new ZipFormatError(`The zip archive is damaged or truncated: ${what}.`, entry);
const overLimit = (message: string, entry?: string) => new ZipFormatError(message, entry, true);

/** The central directory: every entry, in order, its limits checked on the end record before it is read. */
export async function readZipDirectory(
  source: ArchiveSource,
  limits: { maxEntries: number; maxDirectoryBytes: number },
): Promise<ZipEntry[]> {
  const tailStart = Math.max(0, source.size - TAIL_BYTES);
  const tail = await readExactly(source, tailStart, source.size - tailStart);
  const { count, offset, size } = await findDirectory(source, tail, tailStart);
  if (count > limits.maxEntries) {
    throw overLimit(`The zip has ${count} entries; at most ${limits.maxEntries} are accepted.`);
  }
  if (size > limits.maxDirectoryBytes) {
    throw overLimit(`The zip's directory is ${size} bytes; at most ${limits.maxDirectoryBytes} are accepted.`);
  }
  const inTail = offset >= tailStart;
  const directory = inTail
    ? tail.subarray(offset - tailStart, offset - tailStart + size)
    : await readExactly(source, offset, size);
  return parseEntries(directory, count, offset);
}

/** The last end record that describes a directory inside the file: an earlier "PK\5\6" may sit in the comment. */
async function findDirectory(source: ArchiveSource, tail: Uint8Array, tailStart: number) {
  const bytes = view(tail, 0, tail.byteLength);
  let failure = new ZipFormatError("This file is not a zip archive.");
  for (let at = tail.byteLength - EOCD.bytes; at >= 0; at--) {
    if (u32(bytes, at) !== EOCD.signature) continue;
    try {
      return await directoryBounds(source, tail, tailStart, at);
    } catch (error) {
      if (!(error instanceof ZipFormatError)) throw error;
      failure = error;
    }
  }
  throw failure;
}

async function directoryBounds(source: ArchiveSource, tail: Uint8Array, tailStart: number, at: number) {
  const end = view(tail, at, EOCD.bytes);
  view(tail, at + EOCD.bytes, u16(end, 20)); // the comment, which may be followed by other bytes
  let [disk, directoryDisk, onThisDisk, count] = [u16(end, 4), u16(end, 6), u16(end, 8), u16(end, 10)];
  let [size, offset, directoryEnd] = [u32(end, 12), u32(end, 16), tailStart + at];
  const locatorAt = at - ZIP64_LOCATOR.bytes;
  if (locatorAt >= 0 && u32(view(tail, locatorAt, 4), 0) === ZIP64_LOCATOR.signature) {
    const recordAt = u64(view(tail, locatorAt, ZIP64_LOCATOR.bytes), 8);
    if (recordAt + ZIP64_EOCD.bytes > tailStart + locatorAt) throw damaged("its ZIP64 end record lies outside it");
    const record =
      recordAt >= tailStart
        ? view(tail, recordAt - tailStart, ZIP64_EOCD.bytes)
        : view(await readExactly(source, recordAt, ZIP64_EOCD.bytes), 0, ZIP64_EOCD.bytes);
    if (u32(record, 0) !== ZIP64_EOCD.signature) throw damaged("its ZIP64 end record is missing");
    [disk, directoryDisk, onThisDisk, count] = [u32(record, 16), u32(record, 20), u64(record, 24), u64(record, 32)];
    [size, offset, directoryEnd] = [u64(record, 40), u64(record, 48), recordAt];
  }
  if (disk !== 0 || directoryDisk !== 0 || onThisDisk !== count) {
    throw new ZipFormatError("Split (multi-volume) zip archives are not supported; send it as one file.");
  }
  if (offset + size > directoryEnd) throw damaged("its central directory lies outside it");
  if (count * CENTRAL_HEADER.bytes > size) throw damaged("its central directory is shorter than its entry count");
  return { count, offset, size };
}

function parseEntries(directory: Uint8Array, count: number, directoryOffset: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  for (let index = 0, at = 0; index < count; index++) {
    const header = view(directory, at, CENTRAL_HEADER.bytes);
    if (u32(header, 0) !== CENTRAL_HEADER.signature) throw damaged(`entry ${index + 1} has no central header`);
    const flags = u16(header, 8);
    const [nameBytes, extraBytes, commentBytes] = [u16(header, 28), u16(header, 30), u16(header, 32)];
    const nameAt = at + CENTRAL_HEADER.bytes;
    view(directory, nameAt, nameBytes + extraBytes + commentBytes);
    const name = decodeName(directory.subarray(nameAt, nameAt + nameBytes), flags);
    const zip64 = zip64Field(view(directory, nameAt + nameBytes, extraBytes));
    let taken = 0;
    // The ZIP64 field holds, in this order, only the values whose 32-bit field is the sentinel.
    const wide = (value: number) => {
      if (value !== ZIP64_SENTINEL) return value;
      if (!zip64 || taken + 8 > zip64.byteLength) throw damaged(`"${name}" lacks its ZIP64 sizes`, name);
      taken += 8;
      return u64(zip64, taken - 8);
    };
    const size = wide(u32(header, 24));
    const compressedSize = wide(u32(header, 20));
    const localHeaderOffset = wide(u32(header, 42));
    if (localHeaderOffset + LOCAL_HEADER.bytes + compressedSize > directoryOffset) {
      throw damaged(`"${name}" points outside the archive's data`, name);
    }
    const [method, crc32, encrypted] = [u16(header, 10), u32(header, 16), (flags & FLAG_ENCRYPTED) !== 0];
    entries.push({
      name,
      directory: name.endsWith("/"),
      method,
      compressedSize,
      size,
      crc32,
      localHeaderOffset,
      encrypted,
    });
    at = nameAt + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

function decodeName(bytes: Uint8Array, flags: number): string {
  let name: string;
  try {
    name = utf8.decode(bytes);
  } catch {
    name = Array.from(bytes, (byte) => CP437_HIGH_HALF[byte - 0x80] ?? String.fromCharCode(byte)).join("");
    if (flags & FLAG_UTF8) throw new ZipFormatError(`"${name}": its name is marked UTF-8 but is not.`, name);
  }
  if (name.includes("\0")) throw new ZipFormatError(`"${name}": a name cannot contain a NUL character.`, name);
  return name;
}

function zip64Field(extra: DataView): DataView | undefined {
  for (let at = 0; at + 4 <= extra.byteLength; at += 4 + u16(extra, at + 2)) {
    if (u16(extra, at) === ZIP64_EXTRA_ID) return view(extra, at + 4, u16(extra, at + 2));
  }
  return undefined;
}

/** The entry's uncompressed bytes, read and inflated as they are pulled; errors unless they are `entry.size`. */
export function openZipEntry(source: ArchiveSource, entry: ZipEntry): ReadableStream<Uint8Array> {
  const chunks = compressedChunks(source, entry);
  let readFailure: unknown; // the archive's fault or the storage's: passed on as it is, not as bad deflate data
  const compressed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next().catch((error: unknown) => {
          readFailure = error;
          throw error;
        });
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  // An empty entry may be "deflated" to no bytes at all, which the inflater refuses as incomplete.
  const inflating = entry.method === DEFLATE && entry.compressedSize > 0;
  const output = (inflating ? compressed.pipeThrough(new DecompressionStream("deflate-raw")) : compressed).getReader();
  let produced = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await output.read().catch(() => {
          throw readFailure ?? damaged(`"${entry.name}" cannot be inflated`, entry.name);
        });
        produced += next.value?.byteLength ?? 0;
        if (produced > entry.size || (next.done && produced !== entry.size)) {
          await output.cancel().catch(() => {});
          throw damaged(`"${entry.name}" does not hold the ${entry.size} bytes its header gives`, entry.name);
        }
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel: (reason) => output.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

async function* compressedChunks(source: ArchiveSource, entry: ZipEntry): AsyncGenerator<Uint8Array> {
  const { name, method } = entry;
  if (entry.encrypted) throw new ZipFormatError(`"${name}" is encrypted; send it unencrypted.`, name);
  if (method !== STORED && method !== DEFLATE) {
    throw new ZipFormatError(`"${name}" uses compression method ${method}; only stored and deflate are read.`, name);
  }
  if (method === STORED && entry.compressedSize !== entry.size) throw damaged(`"${name}" has two sizes`, name);
  const local = view(
    await readExactly(source, entry.localHeaderOffset, LOCAL_HEADER.bytes, name),
    0,
    LOCAL_HEADER.bytes,
  );
  if (u32(local, 0) !== LOCAL_HEADER.signature) throw damaged(`"${name}" has no local header`, name);
  // The local header's name and extra lengths may differ from the central header's.
  let position = entry.localHeaderOffset + LOCAL_HEADER.bytes + u16(local, 26) + u16(local, 28);
  const end = position + entry.compressedSize;
  const sliceBytes = method === DEFLATE ? INFLATE_SLICE_BYTES : CHUNK_BYTES;
  while (position < end) {
    const chunk = await readExactly(source, position, Math.min(CHUNK_BYTES, end - position), name);
    position += chunk.byteLength;
    for (let at = 0; at < chunk.byteLength; at += sliceBytes) yield chunk.subarray(at, at + sliceBytes);
  }
}

/** The whole entry as bytes, refusing one larger than `maxBytes` before reading it. */
export async function readZipEntry(source: ArchiveSource, entry: ZipEntry, maxBytes: number): Promise<Uint8Array> {
  const { name, size } = entry;
  if (size > maxBytes) throw overLimit(`"${name}" is ${size} bytes; at most ${maxBytes} are accepted.`, name);
  const bytes = new Uint8Array(size); // the stream errors rather than give more than `size`
  const reader = openZipEntry(source, entry).getReader();
  for (let filled = 0; ; ) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes.set(value, filled);
    filled += value.byteLength;
  }
}

// Never a read of no bytes or past the end: R2 answers those with an error, not an empty body.
async function readExactly(source: ArchiveSource, offset: number, length: number, entry?: string) {
  if (offset < 0 || offset + length > source.size) throw damaged("a part of it lies past its end", entry);
  if (length === 0) return new Uint8Array(0);
  const bytes = await source.read(offset, length);
  if (bytes.byteLength < length) throw damaged("it ends early", entry);
  return bytes.subarray(0, length);
}

function view(bytes: Uint8Array | DataView, offset: number, length: number): DataView {
  if (offset < 0 || offset + length > bytes.byteLength) throw damaged("a record lies outside it");
  return new DataView(bytes.buffer, bytes.byteOffset + offset, length);
}

const u16 = (data: DataView, at: number) => data.getUint16(at, true);
const u32 = (data: DataView, at: number) => data.getUint32(at, true);
function u64(data: DataView, at: number): number {
  const value = data.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged("a size or offset is out of range");
  return Number(value);
}

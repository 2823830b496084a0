import type { ArchiveSource } from "./zip-reader";

// An archive in R2, read by range. An import reads its files in the order they lie in the zip, most of
// them small: reading whole blocks and keeping the last two turns thousands of small reads into one
// R2 request per block, with memory bounded by two blocks.
const BLOCK_BYTES = 4 * 1024 * 1024;
const BLOCKS_KEPT = 2;

export function r2Archive(bucket: R2Bucket, key: string, size: number): ArchiveSource {
  const blocks = new Map<number, Promise<Uint8Array>>();

  const block = (index: number) => {
    let found = blocks.get(index);
    if (found) {
      blocks.delete(index);
    } else {
      const offset = index * BLOCK_BYTES;
      found = readRange(bucket, key, offset, Math.min(BLOCK_BYTES, size - offset));
    }
    blocks.set(index, found); // the most recently used last
    for (const oldest of blocks.keys()) {
      if (blocks.size <= BLOCKS_KEPT) break;
      blocks.delete(oldest);
    }
    return found;
  };

  return {
    size,
    async read(offset, length) {
      const end = Math.min(offset + length, size);
      const out = new Uint8Array(Math.max(0, end - offset));
      for (let position = offset; position < end; ) {
        const index = Math.floor(position / BLOCK_BYTES);
        const bytes = await block(index);
        const start = position - index * BLOCK_BYTES;
        const taken = Math.min(bytes.byteLength - start, end - position);
        if (taken <= 0) throw new Error("the archive's object is shorter than it was");
        out.set(bytes.subarray(start, start + taken), position - offset);
        position += taken;
      }
      return out;
    },
  };
}

async function readRange(bucket: R2Bucket, key: string, offset: number, length: number): Promise<Uint8Array> {
  const object = await bucket.get(key, { range: { offset, length } });
  if (!object) throw new Error("the archive's object is gone");
  return new Uint8Array(await object.arrayBuffer());
}

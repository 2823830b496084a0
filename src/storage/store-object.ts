import { Problem, problemType } from "../lib/problem";
import { incompleteUpload, type Measured, measuringStream } from "./measure";

// R2 wants a stream of known length. A raw upload has one (Content-Length) and goes through a
// FixedLengthStream; a multipart file does not, and goes up in fixed-size parts, so memory holds at
// most one part, never the whole file.
const PART_BYTES = 5 * 1024 * 1024; // R2's minimum size for every part but the last

export const storageUnavailable = () =>
  new Problem(503, {
    type: problemType("storage-unavailable"),
    detail: "The file store did not take the upload; try again.",
    headers: { "Retry-After": "5" },
  });

interface StoreOptions {
  maxBytes: number;
  contentType: string;
}

export async function storeKnownLength(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  length: number,
  options: StoreOptions,
): Promise<Measured> {
  const measured = measuringStream({ maxBytes: options.maxBytes, announcedBytes: length });
  const fixed = new FixedLengthStream(length);
  const piped = body.pipeThrough(measured.stream).pipeTo(fixed.writable);
  const stored = bucket.put(key, fixed.readable, { httpMetadata: { contentType: options.contentType } });
  const [pipeOutcome, storeOutcome] = await Promise.allSettled([piped, stored]);
  if (pipeOutcome.status === "rejected") throw measured.failure() ?? incompleteUpload();
  if (storeOutcome.status === "rejected") throw storageUnavailable();
  return measured.result();
}

export async function storeUnknownLength(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  options: StoreOptions,
): Promise<Measured> {
  const measured = measuringStream({ maxBytes: options.maxBytes });
  const reader = body.pipeThrough(measured.stream).getReader();
  const httpMetadata = { contentType: options.contentType };
  let upload: R2MultipartUpload | undefined;
  const parts: R2UploadedPart[] = [];
  let part = new Uint8Array(PART_BYTES);
  let filled = 0;
  try {
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        const next = await reader.read();
        if (next.done) break;
        chunk = next.value;
      } catch {
        throw measured.failure() ?? incompleteUpload();
      }
      for (let offset = 0; offset < chunk.byteLength; ) {
        const taken = Math.min(PART_BYTES - filled, chunk.byteLength - offset);
        part.set(chunk.subarray(offset, offset + taken), filled);
        filled += taken;
        offset += taken;
        if (filled === PART_BYTES) {
          upload ??= await bucket.createMultipartUpload(key, { httpMetadata });
          parts.push(await upload.uploadPart(parts.length + 1, part));
          part = new Uint8Array(PART_BYTES);
          filled = 0;
        }
      }
    }
    if (!upload) {
      await bucket.put(key, part.subarray(0, filled), { httpMetadata });
    } else {
      if (filled > 0) parts.push(await upload.uploadPart(parts.length + 1, part.subarray(0, filled)));
      await upload.complete(parts);
    }
  } catch (error) {
    await upload?.abort().catch(() => undefined);
    if (error instanceof Problem) throw error;
    throw storageUnavailable();
  }
  return measured.result();
}

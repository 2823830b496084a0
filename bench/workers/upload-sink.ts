// Bench-only worker: the real upload path (measuring, FixedLengthStream or multipart parsing and part
// buffering) in front of a bucket that reads every byte and keeps none, so workerd's memory shows what
// our code holds, without the local R2 simulator, which shares the process in the app benchmark.
import { readIncomingUpload } from "../../src/storage/incoming-upload";
import { storeKnownLength, storeUnknownLength } from "../../src/storage/store-object";

async function drain(value: unknown): Promise<void> {
  if (value instanceof ReadableStream) {
    const reader = value.getReader();
    while (!(await reader.read()).done);
  }
}

const sink = {
  async put(_key: string, value: unknown) {
    await drain(value);
    return null;
  },
  async createMultipartUpload() {
    return {
      uploadPart: async (partNumber: number, value: unknown) => {
        await drain(value);
        return { partNumber, etag: "sink" };
      },
      complete: async () => null,
      abort: async () => undefined,
    };
  },
} as unknown as R2Bucket;

export default {
  async fetch(request: Request): Promise<Response> {
    // References for the benchmark: the least a runtime pipe holds, and what buffering costs.
    if (new URL(request.url).searchParams.has("native")) {
      const length = Number(request.headers.get("content-length"));
      const [a, b] = (request.body as ReadableStream).tee();
      const digest = new crypto.DigestStream("SHA-256");
      const fixed = new FixedLengthStream(length);
      await Promise.all([b.pipeTo(digest), a.pipeTo(fixed.writable), drain(fixed.readable)]);
      return Response.json({ size: length, sha: new Uint8Array(await digest.digest)[0] });
    }
    if (new URL(request.url).searchParams.has("buffered")) {
      // The reference: what holding a whole upload costs.
      const whole = new Uint8Array(await request.arrayBuffer());
      return Response.json({ size: whole.byteLength, first: whole[0] });
    }
    const maxBytes = 500 * 1024 * 1024;
    const incoming = await readIncomingUpload(request, "sink.bin", maxBytes);
    const options = { maxBytes, contentType: incoming.contentType };
    const measured =
      incoming.length === undefined
        ? await storeUnknownLength(sink, "sink", incoming.body, options)
        : await storeKnownLength(sink, "sink", incoming.body, incoming.length, options);
    return Response.json(measured);
  },
};

import { badRequest } from "../lib/problem";

// Reads a multipart/form-data body (RFC 7578) as a stream and hands out one file field as a stream of
// its own, so a browser form's upload never sits whole in memory. Parts before it are skipped (their
// size bounded); anything after its closing delimiter is not read.

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_SKIPPED_BYTES = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface MultipartFile {
  contentDisposition: string;
  contentType: string | undefined;
  stream: ReadableStream<Uint8Array>;
}

export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const boundary = /boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return boundary?.[1] ?? boundary?.[2];
}

const malformed = (why: string) => badRequest(`The multipart body is malformed: ${why}.`);

export async function findMultipartFile(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  field: string,
): Promise<MultipartFile | undefined> {
  const reader = body.getReader();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let buffer: Uint8Array = new Uint8Array(0);
  let ended = false;

  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await reader.read();
    if (next.done) {
      ended = true;
      return false;
    }
    const joined = new Uint8Array(buffer.byteLength + next.value.byteLength);
    joined.set(buffer);
    joined.set(next.value, buffer.byteLength);
    buffer = joined;
    return true;
  };

  // The first delimiter may open the body without the CRLF that precedes the others.
  buffer = encoder.encode("\r\n");
  await skipPastDelimiter("no opening boundary");

  for (;;) {
    // After a delimiter: "--" ends the body, CRLF starts a part.
    await readAtLeast(2);
    if (buffer.byteLength < 2) throw malformed("it ends early");
    if (buffer[0] === 0x2d && buffer[1] === 0x2d) return undefined;
    const headerEnd = await waitFor(encoder.encode("\r\n\r\n"), MAX_HEADER_BYTES);
    const headers = parseHeaders(decoder.decode(buffer.subarray(0, headerEnd)));
    buffer = buffer.subarray(headerEnd + 4);
    const disposition = headers.get("content-disposition") ?? "";
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === field && /\bfilename\*?=/i.test(disposition)) {
      return { contentDisposition: disposition, contentType: headers.get("content-type"), stream: partStream() };
    }
    await skipPastDelimiter(`fields before "${field}" are too large or not closed`);
  }

  function partStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        for (;;) {
          const found = indexOf(buffer, delimiter);
          if (found >= 0) {
            if (found > 0) controller.enqueue(buffer.slice(0, found));
            controller.close();
            await reader.cancel().catch(() => undefined);
            return;
          }
          // Hold back what could be the start of a delimiter split across chunks.
          const safe = buffer.byteLength - (delimiter.byteLength - 1);
          if (safe > 0) {
            controller.enqueue(buffer.slice(0, safe));
            buffer = buffer.subarray(safe);
            return;
          }
          if (!(await fill())) return controller.error(malformed(`the "${field}" part is not closed`));
        }
      },
      async cancel(reason) {
        await reader.cancel(reason).catch(() => undefined);
      },
    });
  }

  /** Discards everything up to and including the next delimiter, within MAX_SKIPPED_BYTES. */
  async function skipPastDelimiter(why: string): Promise<void> {
    let skipped = 0;
    for (;;) {
      const found = indexOf(buffer, delimiter);
      if (found >= 0) {
        buffer = buffer.subarray(found + delimiter.byteLength);
        return;
      }
      const keep = Math.max(0, buffer.byteLength - delimiter.byteLength);
      skipped += keep;
      buffer = buffer.subarray(keep);
      if (skipped > MAX_SKIPPED_BYTES || !(await fill())) throw malformed(why);
    }
  }

  async function readAtLeast(bytes: number): Promise<void> {
    while (buffer.byteLength < bytes && (await fill()));
  }

  async function waitFor(needle: Uint8Array, limit: number): Promise<number> {
    for (;;) {
      const found = indexOf(buffer, needle);
      if (found >= 0) return found;
      if (buffer.byteLength > limit) throw malformed("part headers are too large");
      if (!(await fill())) throw malformed("part headers are not closed");
    }
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0];
  outer: for (
    let i = haystack.indexOf(first as number);
    i >= 0 && i <= haystack.byteLength - needle.byteLength;
    i = haystack.indexOf(first as number, i + 1)
  ) {
    for (let j = 1; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

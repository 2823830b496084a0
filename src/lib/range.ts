export type ByteRange = { offset: number; length: number };

/**
 * One byte range from a Range header (RFC 9110 14.1): the range to send, "unsatisfiable" for 416, or
 * undefined to send the whole representation (no header, another unit, or several ranges, which a
 * server may ignore).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | "unsatisfiable" | undefined {
  const match = header ? /^bytes=\s*(\d*)-(\d*)\s*$/.exec(header) : null;
  if (!match) return undefined;
  const [, first, last] = match;
  if (!first && !last) return undefined;
  if (!first) {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(first);
  if (start >= size) return "unsatisfiable";
  const end = last ? Math.min(Number(last), size - 1) : size - 1;
  if (end < start) return undefined; // invalid syntax: ignore the header
  return { offset: start, length: end - start + 1 };
}

// Filenames come from clients and go back out in Content-Disposition: clean them on the way in and
// encode them (RFC 6266, RFC 8187) on the way out. Object keys never derive from them.

const MAX_LENGTH = 255;
// C0/C1 controls, and bidirectional overrides that can make "evil\u202Efdp.exe" read as "evilexe.pdf".
const UNSAFE = /[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** The last path segment, without controls or bidi overrides, trimmed; undefined when nothing is left. */
export function sanitizeFilename(raw: string): string | undefined {
  const lastSegment = raw.normalize("NFC").split(/[/\\]/).pop() ?? "";
  const cleaned = lastSegment.replace(UNSAFE, "").trim();
  if (cleaned === "" || cleaned === "." || cleaned === "..") return undefined;
  return [...cleaned].length > MAX_LENGTH ? undefined : cleaned;
}

/** The filename a Content-Disposition header carries, preferring RFC 8187's `filename*`. */
export function filenameFromContentDisposition(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)'[^']*'([^;]+)/.exec(header)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      return undefined;
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(header)?.[1];
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, "$1");
  return /filename\s*=\s*([^;\s]+)/.exec(header)?.[1];
}

/** `attachment` with an ASCII fallback and the exact name in `filename*`. */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

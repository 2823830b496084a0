// What a download may be labelled as. Anything a browser could run or render as a page (HTML, SVG,
// XML, scripts) is served as application/octet-stream, whatever the uploader claimed.

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const SAFE_PREFIXES = ["image/", "audio/", "video/", "font/"];
const SAFE_TYPES = new Set([
  "text/plain",
  "text/csv",
  "text/markdown",
  "application/pdf",
  "application/json",
  "application/zip",
  "application/gzip",
  "application/octet-stream",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
]);
const UNSAFE_IMAGES = new Set(["image/svg+xml"]);

/** The stored form of a client's Content-Type: `type/subtype`, lower-cased, parameters dropped. */
export function normalizeMediaType(header: string | undefined | null): string {
  const essence = (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return MEDIA_TYPE.test(essence) ? essence : "application/octet-stream";
}

export function servedMediaType(stored: string): string {
  if (UNSAFE_IMAGES.has(stored)) return "application/octet-stream";
  if (SAFE_TYPES.has(stored) || SAFE_PREFIXES.some((prefix) => stored.startsWith(prefix))) return stored;
  return "application/octet-stream";
}

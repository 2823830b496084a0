import { ifNoneMatchHits } from "../lib/etag";
import { contentDisposition } from "../lib/filename";
import { servedMediaType } from "../lib/media-type";
import { notFound, Problem } from "../lib/problem";
import { parseRange } from "../lib/range";

/** What a download needs to know about a stored file. */
export type StoredFile = {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  objectKey: string;
};

/**
 * An attachment's bytes as every download route serves them, whoever may read them: streamed from R2,
 * a type from the allowlist (else octet-stream), nosniff, a sandboxing CSP, `attachment` disposition,
 * the bytes' hash as a strong ETag (304), and single Range requests (206, 416). `cacheControl` is the
 * route's: private for members, no-store for share links, public for published notes.
 */
export async function serveDownload(
  request: Request,
  bucket: R2Bucket,
  file: StoredFile,
  cacheControl: string,
): Promise<Response> {
  // The bytes' own hash: a strong validator that changes exactly when the content does.
  const etag = `"${file.sha256}"`;
  const headers = new Headers({
    ETag: etag,
    "Cache-Control": cacheControl,
    "Accept-Ranges": "bytes",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": contentDisposition(file.filename),
  });
  if (ifNoneMatchHits(request.headers.get("If-None-Match") ?? undefined, etag)) {
    return new Response(null, { status: 304, headers });
  }

  const ifRange = request.headers.get("If-Range");
  const range =
    ifRange === null || ifRange === etag ? parseRange(request.headers.get("Range") ?? undefined, file.size) : undefined;
  if (range === "unsatisfiable") {
    throw new Problem(416, {
      detail: `The file has ${file.size} bytes.`,
      headers: { "Content-Range": `bytes */${file.size}` },
    });
  }
  const object = await bucket.get(file.objectKey, range ? { range } : undefined);
  // The row was just read, so a missing object means it was deleted a moment ago.
  if (!object) throw notFound("No attachment with this id on this note.");

  headers.set("Content-Type", servedMediaType(file.contentType));
  headers.set("Content-Length", String(range ? range.length : file.size));
  if (!range) return new Response(object.body, { status: 200, headers });
  headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${file.size}`);
  return new Response(object.body, { status: 206, headers });
}

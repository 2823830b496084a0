import { type HeadersObject, header, problem } from "./openapi";

// How files travel, for the OpenAPI document: uploads (src/storage/incoming-upload.ts) and downloads
// (src/storage/serve-download.ts).

/**
 * Raw bytes as OpenAPI 3.1 describes them: `contentMediaType` and no `type`, since JSON Schema's types
 * are JSON's. A generated client then takes (or hands back) a Blob, an ArrayBuffer or a stream as it is,
 * and Swagger UI offers a file picker.
 */
const bytes = (description: string) => ({ contentMediaType: "application/octet-stream", description });

/** The body of an upload: a form's `file` field, or the file itself. Plain schemas: the handler streams it. */
export const uploadBody = {
  required: true,
  description:
    "The file, as the `file` field of a multipart/form-data form (its part's filename and Content-Type are " +
    "kept), or as the raw body labelled with its own media type, with Content-Length (name it with `filename` " +
    "or Content-Disposition)",
  content: {
    "multipart/form-data": {
      schema: {
        type: "object" as const,
        properties: { file: bytes("The file; its part's filename and Content-Type are kept") },
        required: ["file"],
      },
      encoding: { file: { contentType: "*/*" } },
    },
    "*/*": { schema: bytes("The file's bytes; its Content-Type is kept as the attachment's media type") },
  },
};

const DOWNLOAD_BYTES = {
  "*/*": {
    schema: bytes(
      "The file's bytes, labelled with its media type when that is safe to show in a browser (images but SVG, " +
        "audio, video, fonts, plain text, CSV, Markdown, PDF, JSON, ZIP, gzip, Office documents), otherwise " +
        "application/octet-stream",
    ),
  },
};

/**
 * The answers of a download route, as serveDownload gives them: the whole file, one byte range (206),
 * 304 for a matching If-None-Match, 416 for a range past the end. `cacheControl` says what the route
 * sends; `own` adds the route's own headers to the answers with bytes.
 */
export function downloadResponses(cacheControl: string, own: HeadersObject = {}) {
  const always = {
    ETag: header("ETag", {
      required: true,
      description: "The file's SHA-256 in hex, quoted: it changes exactly when the bytes do",
      example: '"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"',
    }),
    "Cache-Control": header("Cache-Control", { required: true, description: cacheControl }),
    "Accept-Ranges": header("Accept-Ranges", { required: true }),
    "Content-Disposition": header("Content-Disposition", { required: true }),
    "Content-Security-Policy": header("Content-Security-Policy", { required: true }),
  };
  const sent = { ...always, "Content-Length": header("Content-Length", { required: true }), ...own };
  return {
    200: { description: "The whole file", headers: sent, content: DOWNLOAD_BYTES },
    206: {
      description: "The bytes the Range asked for",
      headers: { ...sent, "Content-Range": header("Content-Range", { required: true }) },
      content: DOWNLOAD_BYTES,
    },
    304: { description: "Not modified since the ETag in If-None-Match", headers: { ...always, ...own } },
    416: problem(416),
  };
}

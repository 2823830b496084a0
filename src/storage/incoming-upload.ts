import { filenameFromContentDisposition, sanitizeFilename } from "../lib/filename";
import { normalizeMediaType } from "../lib/media-type";
import { badRequest, Problem, validationFailed } from "../lib/problem";
import { overSizeLimit } from "./measure";
import { findMultipartFile, multipartBoundary } from "./multipart-file";

export interface IncomingUpload {
  /** undefined when the client named none (a new attachment is then called "attachment"). */
  filename: string | undefined;
  contentType: string;
  body: ReadableStream<Uint8Array>;
  /** Exact byte count of a raw upload; undefined for a multipart file, whose size shows while it streams. */
  length: number | undefined;
}

// Multipart framing around a file: boundaries, part headers, a few small fields.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * The file a request carries: its raw body (Content-Length required, filename from `?filename=` or
 * Content-Disposition), or the `file` field of a multipart/form-data body. Sizes that are known up front
 * are checked before a byte is read.
 */
export async function readIncomingUpload(
  request: Request,
  filenameParam: string | undefined,
  maxBytes: number,
): Promise<IncomingUpload> {
  const contentType = request.headers.get("content-type") ?? undefined;
  const declared = request.headers.get("content-length");
  const length = declared !== null && /^\d{1,15}$/.test(declared) ? Number(declared) : undefined;
  const body = request.body ?? emptyStream();

  const boundary = multipartBoundary(contentType);
  if (contentType && /^multipart\//i.test(contentType)) {
    if (!boundary) throw badRequest("A multipart/form-data body needs a boundary parameter.");
    if (length !== undefined && length > maxBytes + MULTIPART_OVERHEAD_BYTES) throw overSizeLimit(maxBytes);
    const file = await findMultipartFile(body, boundary, "file");
    if (!file)
      throw validationFailed([{ path: "body.file", message: "a multipart upload needs a file field named file" }]);
    return {
      filename: checkedFilename(filenameFromContentDisposition(file.contentDisposition), "body.file"),
      contentType: normalizeMediaType(file.contentType),
      body: file.stream,
      length: undefined,
    };
  }

  if (length === undefined) {
    throw new Problem(411, { detail: "A raw upload needs a Content-Length header (or send multipart/form-data)." });
  }
  if (length > maxBytes) throw overSizeLimit(maxBytes);
  const named =
    filenameParam ?? filenameFromContentDisposition(request.headers.get("content-disposition") ?? undefined);
  return {
    filename: checkedFilename(named, filenameParam !== undefined ? "query.filename" : "header.content-disposition"),
    contentType: normalizeMediaType(contentType),
    body,
    length,
  };
}

function checkedFilename(raw: string | undefined, path: string): string | undefined {
  if (raw === undefined) return undefined;
  const clean = sanitizeFilename(raw);
  if (!clean) throw validationFailed([{ path, message: "a filename needs 1 to 255 printable characters" }]);
  return clean;
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

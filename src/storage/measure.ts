import { Problem, problemType } from "../lib/problem";

export interface Measured {
  size: number;
  sha256: string;
}

export const tooLarge = (detail: string) => new Problem(413, { type: problemType("attachment-too-large"), detail });
export const overSizeLimit = (maxBytes: number) => tooLarge(`Attachments may be at most ${maxBytes} bytes.`);
export const incompleteUpload = () =>
  new Problem(400, {
    type: problemType("incomplete-upload"),
    detail: "The upload ended before all its bytes arrived.",
  });

/**
 * A pass-through stream that counts and hashes the bytes on their way to R2, and cuts the upload
 * off with a 413 the moment it passes `maxBytes` or the length it announced.
 */
export function measuringStream(limits: { maxBytes: number; announcedBytes?: number }) {
  const digest = new crypto.DigestStream("SHA-256");
  const digestWriter = digest.getWriter();
  let size = 0;
  let failure: Problem | undefined;
  const fail = (controller: TransformStreamDefaultController, problem: Problem) => {
    failure = problem;
    controller.error(problem);
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) return fail(controller, overSizeLimit(limits.maxBytes));
      if (limits.announcedBytes !== undefined && size > limits.announcedBytes) {
        return fail(controller, tooLarge("The body is longer than its Content-Length."));
      }
      await digestWriter.write(chunk);
      controller.enqueue(chunk);
    },
    async flush(controller) {
      if (limits.announcedBytes !== undefined && size < limits.announcedBytes)
        return fail(controller, incompleteUpload());
      await digestWriter.close();
    },
  });
  return {
    stream,
    /** The problem that stopped the stream, if the stream stopped it. */
    failure: () => failure,
    result: async (): Promise<Measured> => ({ size, sha256: toHex(new Uint8Array(await digest.digest)) }),
  };
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

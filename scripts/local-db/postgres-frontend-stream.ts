// Follows the client side of the PostgreSQL wire protocol far enough to see a Terminate message.
// Start-up messages carry no type byte (SSLRequest and GSSENCRequest may come first); every later one does.

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58; // 'X'

export function createTerminateDetector(): (chunk: Buffer) => boolean {
  let pending: Buffer = Buffer.alloc(0);
  let inStartup = true;
  return (chunk) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let terminated = false;
    for (;;) {
      if (inStartup) {
        if (pending.length < 8) break;
        const length = pending.readInt32BE(0);
        if (pending.length < length) break;
        const code = pending.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) inStartup = false;
        pending = pending.subarray(length);
      } else {
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1) + 1;
        if (pending.length < length) break;
        if (pending[0] === TERMINATE) terminated = true;
        pending = pending.subarray(length);
      }
    }
    return terminated;
  };
}

/** The `database` parameter of a StartupMessage at the start of `chunk`, if that is what it holds. */
export function startupDatabase(chunk: Buffer): string | undefined {
  if (chunk.length < 8 || chunk.readInt32BE(4) === SSL_REQUEST || chunk.readInt32BE(4) === GSSENC_REQUEST)
    return undefined;
  const fields = chunk.subarray(8, chunk.readInt32BE(0)).toString("utf8").split("\0");
  const index = fields.indexOf("database");
  return index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
}

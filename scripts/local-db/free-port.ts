import { createServer } from "node:net";

// Ports are drawn below every OS's ephemeral range (Linux 32768-60999, macOS and Windows 49152-65535).
// A port the OS hands out for listening (port 0) comes from that range, where outgoing connections take
// their local ports too: between finding it free and listening on it, a connection (to PostgreSQL, a
// fetch) could take it, and a test run with many connections lost that race.
const RANGE = { from: 20_000, to: 32_767 };
const TRIES = 50;
/** Ports this process handed out already: two servers started together must not be given one port. */
const handedOut = new Set<number>();

/** A port that is free right now on the loopback interface, and that no outgoing connection will take. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < TRIES; attempt++) {
    const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));
    if (handedOut.has(port) || !(await listensOn(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`No free port between ${RANGE.from} and ${RANGE.to} after ${TRIES} tries.`);
}

/** Whether `port` can be listened on now (and is let go again at once). */
function listensOn(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Fails with a message a developer can act on when something already listens on `port`. */
export function assertPortFree(port: number, what: string, envVar: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code === "EADDRINUSE" ? "is already in use" : `cannot be opened (${error.code})`;
      reject(
        new Error(`Port ${port} for the ${what} ${reason}. Stop whatever holds it or set ${envVar} to another port.`),
      );
    });
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

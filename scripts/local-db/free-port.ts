import { createServer } from "node:net";

/** Asks the OS for a port that is free right now on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
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

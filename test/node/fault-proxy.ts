// A TCP proxy in front of the test PostgreSQL that a test can switch, over HTTP, between passing
// traffic, refusing connections (a stopped server) and stalling (a paused server: the kernel still
// accepts connections, and nothing is read or answered, on new and open connections alike).
// Only the fault tests point a DATABASE_URL at it; the real server is never stopped or paused.
import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Socket } from "node:net";

export type FaultMode = "pass" | "refuse" | "stall";

export interface FaultProxy {
  /** Port that forwards to PostgreSQL as the mode says. */
  port: number;
  /** host:port of the control endpoint: POST /mode/<pass|refuse|stall>. */
  control: string;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = "pass";
  const pairs = new Set<[Socket, Socket]>();

  const proxy = createServer((client) => {
    if (mode === "refuse") return client.destroy();
    const server = connect({ host: target.host, port: target.port });
    const pair: [Socket, Socket] = [client, server];
    pairs.add(pair);
    client.pipe(server);
    server.pipe(client);
    if (mode === "stall") stall(pair);
    const forget = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("close", forget).on("error", forget);
    server.on("close", forget).on("error", forget);
  });
  await listen(proxy, 0);
  const port = (proxy.address() as { port: number }).port;

  const setMode = async (next: FaultMode) => {
    mode = next;
    for (const pair of pairs) {
      if (next === "stall") stall(pair);
      else if (next === "pass") resume(pair);
      else for (const socket of pair) socket.destroy();
    }
    // Refusing means nothing listens, so the kernel itself refuses, as for a stopped server.
    if (next === "refuse" && proxy.listening) await new Promise<void>((resolve) => proxy.close(() => resolve()));
    if (next !== "refuse" && !proxy.listening) await listen(proxy, port);
  };

  const control = createHttpServer((request, response) => {
    const wanted = /^\/mode\/(pass|refuse|stall)$/.exec(request.url ?? "")?.[1] as FaultMode | undefined;
    if (request.method !== "POST" || !wanted) {
      response.writeHead(404).end();
      return;
    }
    setMode(wanted).then(
      () => response.writeHead(204).end(),
      (error: Error) => response.writeHead(500).end(error.message),
    );
  });
  await listen(control, 0);

  return {
    port,
    control: `127.0.0.1:${(control.address() as { port: number }).port}`,
    stop: async () => {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await Promise.all([proxy, control].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

function stall([client, server]: [Socket, Socket]): void {
  client.unpipe(server);
  server.unpipe(client);
  client.pause();
  server.pause();
}

function resume([client, server]: [Socket, Socket]): void {
  client.pipe(server);
  server.pipe(client);
}

function listen(
  server: {
    listen(port: number, host: string, done: () => void): unknown;
    once(event: "error", handler: (error: Error) => void): unknown;
  },
  port: number,
) {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

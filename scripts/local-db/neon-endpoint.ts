import { createServer, type Server } from "node:http";
import { assertPortFree } from "./free-port.ts";
import { statsFor } from "./round-trips.ts";
import { closeSqlPools, handleSqlOverHttp } from "./sql-over-http.ts";
import { handleWebSocketUpgrade } from "./websocket-bridge.ts";

export interface NeonEndpoint {
  /** host:port, the value of the worker's LOCAL_NEON_ENDPOINT binding. */
  address: string;
  stop(): Promise<void>;
}

/**
 * One loopback port serving both ways the Neon driver talks: POST /sql and WebSockets at /v2, plus
 * GET /stats?database=<name>, the round trips each database has seen (for tests and benchmarks).
 */
export async function startNeonEndpoint(port: number): Promise<NeonEndpoint> {
  await assertPortFree(port, "local Neon endpoint", "LOCAL_NEON_PORT");
  const server: Server = createServer((request, response) => {
    if (request.method === "POST" && request.url?.startsWith("/sql")) {
      handleSqlOverHttp(request, response).catch((error) => {
        response.writeHead(500).end(String(error));
      });
      return;
    }
    if (request.method === "GET" && request.url?.startsWith("/stats?")) {
      const database = new URL(request.url, "http://local").searchParams.get("database") ?? "";
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(statsFor(database)));
      return;
    }
    response.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  server.on("upgrade", handleWebSocketUpgrade);
  // Keep-alive sockets from workerd would otherwise hold close() open.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    address: `127.0.0.1:${port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await closeSqlPools();
    },
  };
}

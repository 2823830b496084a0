import type { IncomingMessage } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { isLoopback } from "./loopback.ts";
import { createTerminateDetector, startupDatabase } from "./postgres-frontend-stream.ts";
import { countWebSocketSession } from "./round-trips.ts";

// What Neon's wsproxy does: each WebSocket at /v2?address=host:port carries one PostgreSQL connection.
const server = new WebSocketServer({ noServer: true, perMessageDeflate: false });

export function handleWebSocketUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(request.url ?? "/", "http://local");
  const address = url.searchParams.get("address") ?? "";
  const separator = address.lastIndexOf(":");
  const host = address.slice(0, separator);
  const port = Number(address.slice(separator + 1));
  if (url.pathname !== "/v2" || separator < 0 || !isLoopback(host) || !Number.isInteger(port)) {
    socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    return;
  }
  server.handleUpgrade(request, socket, head, (webSocket) => bridge(webSocket, host, port));
}

function bridge(webSocket: WebSocket, host: string, port: number): void {
  const tcp = connect({ host: host.replace(/^\[|\]$/g, ""), port, noDelay: true });
  const sawTerminate = createTerminateDetector();
  let counted = false;

  webSocket.on("message", (data: Buffer) => {
    if (!counted) {
      counted = true;
      const database = startupDatabase(data);
      if (database) countWebSocketSession(database);
    }
    tcp.write(data);
    // The driver sends Terminate and then waits for the server to hang up; it never closes the WebSocket itself.
    if (sawTerminate(data)) tcp.end();
  });
  tcp.on("data", (data) => webSocket.send(data));
  // Dropping the socket, rather than sending a close frame, is what keeps workerd from
  // reporting "Network connection lost" as an unhandled error.
  tcp.on("close", () => webSocket.terminate());
  tcp.on("error", () => webSocket.terminate());
  webSocket.on("close", () => tcp.destroy());
  webSocket.on("error", () => tcp.destroy());
}

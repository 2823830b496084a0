// A real webhook receiver for the tests, in Node beside the worker: each receiver verifies every
// delivery with the Standard Webhooks reference library (`standardwebhooks`), as an integration would,
// records what it got, and answers with the status a test sets (503 while "down").
//
//   POST /receivers                    -> { id, url }  a new receiver at `url`
//   PUT  /receivers/{id}               { secrets?, status?, location? }  the secrets it verifies with, its answer
//   GET  /receivers/{id}               -> { deliveries: Received[] }  oldest first
//   POST /r/{id}                       a delivery

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { Webhook } from "standardwebhooks";
import type { Received } from "../support/webhook-received.ts";

interface Receiver {
  secrets: string[];
  status: number;
  /** A Location header to answer with (a redirect's target). */
  location?: string;
  deliveries: Received[];
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function verifies(secrets: string[], body: string, headers: Record<string, string>): boolean {
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, headers);
      return true;
    } catch {
      return false;
    }
  });
}

export async function startWebhookReceiver(): Promise<{ origin: string; stop: () => Promise<void> }> {
  const receivers = new Map<string, Receiver>();
  const send = (response: ServerResponse, status: number, value?: unknown) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(value === undefined ? "" : JSON.stringify(value));
  };
  const server = createServer(async (request, response) => {
    const [, head, id] = (request.url ?? "").split("/");
    const body = await readBody(request);
    const receiver = id ? receivers.get(id) : undefined;
    if (head === "receivers" && !id && request.method === "POST") {
      const created = randomUUID();
      receivers.set(created, { secrets: [], status: 200, deliveries: [] });
      return send(response, 201, { id: created, url: `${origin}/r/${created}` });
    }
    if (!receiver) return send(response, 404);
    if (head === "receivers" && request.method === "PUT") {
      const settings = JSON.parse(body) as Partial<Pick<Receiver, "secrets" | "status" | "location">>;
      Object.assign(receiver, settings);
      return send(response, 204);
    }
    if (head === "receivers" && request.method === "GET")
      return send(response, 200, { deliveries: receiver.deliveries });
    if (head === "r" && request.method === "POST") {
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]),
      );
      const verified = verifies(receiver.secrets, body, headers);
      const answered = verified ? receiver.status : 401;
      receiver.deliveries.push({
        webhookId: headers["webhook-id"] ?? "",
        verified,
        signatures: (headers["webhook-signature"] ?? "").split(" ").length,
        answered,
        payload: JSON.parse(body),
      });
      if (receiver.location) response.setHeader("location", receiver.location);
      return send(response, answered);
    }
    return send(response, 404);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the webhook receiver has no port");
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import type { Bindings } from "../../src/env";
import worker from "../../src/index";
import type { Attachment } from "../../src/routes/attachments/attachment.schemas";
import type { Requester } from "./accounts";
import { testDatabase, testEnv } from "./api";

export function rawUpload(bytes: Uint8Array | string, contentType = "application/octet-stream"): RequestInit {
  const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  return {
    method: "POST",
    body,
    headers: { "Content-Type": contentType, "Content-Length": String(body.byteLength) },
  };
}

export async function upload(request: Requester, noteId: string, bytes: Uint8Array | string, filename = "file.bin") {
  const response = await request(
    `/v1/notes/${noteId}/attachments?filename=${encodeURIComponent(filename)}`,
    rawUpload(bytes),
  );
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${await response.text()}`);
  return response.json<Attachment>();
}

/** A download's bytes as UTF-8 text, without asking workerd to read a binary body as text. */
export async function bodyText(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65536) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(length, offset + 65536)));
  }
  return bytes;
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Every object key a user has in the local bucket. */
export async function objectsOf(userId: string): Promise<string[]> {
  const listed = await env.ATTACHMENTS.list({ prefix: `users/${userId}/` });
  return listed.objects.map((object) => object.key);
}

export async function outboxKeys(): Promise<string[]> {
  const { rows } = await testDatabase().execute<{ object_key: string }>(sql`select object_key from r2_outbox`);
  return rows.map((row) => row.object_key);
}

/** Makes every queued R2 object due now, as if its grace period had passed. */
export async function fastForwardOutbox(): Promise<void> {
  await testDatabase().execute(sql`update r2_outbox set not_before = now() - interval '1 second'`);
}

/** Runs the cron handler as Cloudflare would, and waits for its work. */
export async function runScheduledSweep(overrides: Partial<Bindings> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), testEnv(overrides), ctx);
  await waitOnExecutionContext(ctx);
}

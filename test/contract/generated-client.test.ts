import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import createClient from "openapi-fetch";
import { expect, it } from "vitest";
import worker from "../../src/index";
import { uniqueEmail, uniqueIp } from "../support/accounts";
import { testEnv } from "../support/api";
import { randomBytes } from "../support/attachments";
import type { paths } from "./openapi";

// A client written the way an integrator would write one: generated types from the committed document
// (test/contract/openapi.d.ts) and openapi-fetch, nothing hand-typed and no casts (test/node/contract-no-casts
// checks this file). If the document mistypes an operation, this file stops compiling.

/** openapi-fetch's transport: each request goes through the worker's real fetch handler, with this file's database. */
async function sendToWorker(request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, testEnv(), ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A client as seen from one network (Cloudflare's edge sets CF-Connecting-IP; rate limits count per network). */
function client(headers: Record<string, string> = {}) {
  return createClient<paths>({
    baseUrl: "https://api.test",
    fetch: sendToWorker,
    headers: { "CF-Connecting-IP": uniqueIp(), ...headers },
  });
}

/** What an operation answered when it succeeded; its status and problem otherwise. */
function answer<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${result.response.status}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

function header(response: Response, name: string): string {
  const value = response.headers.get(name);
  if (value === null) throw new Error(`no ${name} header`);
  return value;
}

it("runs a note's whole life through a client generated from the contract", async () => {
  const anonymous = client();
  const email = uniqueEmail();
  const password = "correct horse battery staple";

  const user = answer(await anonymous.POST("/v1/auth/register", { body: { email, password, displayName: "Ada" } }));
  expect(user.email).toBe(email);

  // The token endpoint is OAuth 2.0's password grant: a form, as RFC 6749 requires.
  const tokens = answer(
    await anonymous.POST("/v1/auth/token", {
      body: { grant_type: "password", username: email, password },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
  );
  expect(tokens.token_type).toBe("Bearer");
  const api = client({ Authorization: `Bearer ${tokens.access_token}` });

  const created = await api.POST("/v1/notes", { body: { title: "Groceries", content: "Milk", tags: ["home"] } });
  const note = answer(created);
  expect(note).toMatchObject({ title: "Groceries", content: "Milk", tags: ["home"], version: 1 });

  const listed = answer(await api.GET("/v1/notes", { params: { query: { limit: 10 } } }));
  expect(listed.items.map((item) => item.id)).toEqual([note.id]);

  const updated = await api.PATCH("/v1/notes/{id}", {
    params: { path: { id: note.id }, header: { "if-match": header(created.response, "ETag") } },
    body: { title: "Groceries for Sunday" },
  });
  expect(answer(updated)).toMatchObject({ title: "Groceries for Sunday", version: 2 });

  const bytes = randomBytes(2048);
  const file = new Blob([bytes], { type: "application/octet-stream" });
  const attachment = answer(
    await api.POST("/v1/notes/{id}/attachments", {
      params: { path: { id: note.id }, query: { filename: "list.bin" } },
      body: file,
      // The file goes as the raw body, as fetch sends a Blob.
      bodySerializer: (body) => body,
      headers: { "Content-Type": file.type, "Content-Length": String(file.size) },
    }),
  );
  expect(attachment).toMatchObject({ filename: "list.bin", size: bytes.byteLength });

  const downloaded = answer(
    await api.GET("/v1/notes/{id}/attachments/{attachmentId}", {
      params: { path: { id: note.id, attachmentId: attachment.id } },
      parseAs: "arrayBuffer",
    }),
  );
  expect(new Uint8Array(downloaded)).toEqual(bytes);

  const removedFile = await api.DELETE("/v1/notes/{id}/attachments/{attachmentId}", {
    params: { path: { id: note.id, attachmentId: attachment.id } },
  });
  expect(removedFile.response.status).toBe(204);

  // Attachments count as changes to the note: delete the version read now, not the one edited above.
  const current = await api.GET("/v1/notes/{id}", { params: { path: { id: note.id } } });
  expect(answer(current).attachmentCount).toBe(0);
  const removed = await api.DELETE("/v1/notes/{id}", {
    params: { path: { id: note.id }, header: { "if-match": header(current.response, "ETag") } },
  });
  expect(removed.response.status).toBe(204);

  const gone = await api.GET("/v1/notes/{id}", { params: { path: { id: note.id } } });
  expect(gone.response.status).toBe(404);
  expect(gone.error).toMatchObject({ status: 404, title: "Not Found" });
});

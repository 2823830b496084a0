import { describe, expect, it } from "vitest";
import { json, PASSWORD, signUp } from "./support/accounts";
import { api } from "./support/api";
import { createNote } from "./support/notes";

interface Operation {
  security?: unknown[];
}

// Generated from the OpenAPI document, so routes added later are covered without being listed here.
describe("answers to signed-in callers", () => {
  it("are private to the caller and revalidated before reuse, on every secured GET", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const document = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, Operation>> }>();
    const secured = Object.entries(document.paths).filter(([, operations]) => operations.get?.security?.length);
    expect(secured.length).toBeGreaterThan(3);
    for (const [template] of secured) {
      // The caller's own note where a note id goes; any other id answers 404, which is private too.
      const path = template.replace("{id}", note.id).replace(/\{\w+\}/g, crypto.randomUUID());
      const response = await request(path);
      expect(response.status, path).toBeLessThan(500);
      expect(response.headers.get("cache-control"), `${response.status} ${path}`).toMatch(/^private, no-cache$/);
    }
  });

  it("still revalidate with the ETag", async () => {
    const { request } = await signUp();
    const note = await createNote(request);
    const response = await request(`/v1/notes/${note.id}`);
    const revalidated = await request(`/v1/notes/${note.id}`, {
      headers: { "If-None-Match": response.headers.get("etag") ?? "" },
    });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get("cache-control")).toBe("private, no-cache");
  });

  it("keep the stricter policy a handler chose: tokens are never stored", async () => {
    const { request } = await signUp();
    const changed = await request(
      "/v1/users/me/password",
      json({ currentPassword: PASSWORD, newPassword: "another long password" }),
    );
    expect(changed.status).toBe(200);
    expect(changed.headers.get("cache-control")).toBe("no-store");
  });
});

import { describe, expect, it } from "vitest";
import type { Attachment } from "../src/routes/attachments/attachment.schemas";
import type { Note } from "../src/routes/notes/note.schemas";
import { signUp } from "./support/accounts";
import { bodyText, objectsOf, randomBytes, rawUpload, sha256Hex, upload } from "./support/attachments";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";

async function noteWithOwner() {
  const owner = await signUp();
  const note = await createNote(owner.request);
  return { ...owner, note, base: `/v1/notes/${note.id}/attachments` };
}

describe("POST /v1/notes/{id}/attachments", () => {
  it("stores a raw upload: 201, Location, metadata, SHA-256 of the bytes, object in R2", async () => {
    const { request, note, base, user } = await noteWithOwner();
    const bytes = randomBytes(100_000);
    const response = await request(`${base}?filename=photo.png`, rawUpload(bytes, "image/png"));
    expect(response.status).toBe(201);
    const attachment = await response.json<Attachment>();
    expect(attachment).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      noteId: note.id,
      filename: "photo.png",
      contentType: "image/png",
      size: 100_000,
      sha256: await sha256Hex(bytes),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(response.headers.get("location")).toBe(`${base}/${attachment.id}`);
    expect(await objectsOf(user.id)).toHaveLength(1);
    const after = await (await request(`/v1/notes/${note.id}`)).json<Note>();
    expect(after).toMatchObject({ attachmentCount: 1, version: 2 });
  });

  it("takes the filename from Content-Disposition, RFC 8187 encoding included", async () => {
    const { request, base } = await noteWithOwner();
    const init = rawUpload("hello");
    const response = await request(base, {
      ...init,
      headers: { ...init.headers, "Content-Disposition": "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt" },
    });
    expect((await response.json<Attachment>()).filename).toBe("résumé.txt");
  });

  it("stores a multipart/form-data upload, as a browser form sends it", async () => {
    const { request, base } = await noteWithOwner();
    const form = new FormData();
    form.append("caption", "ignored field before the file");
    form.append("file", new File(["hello from a form"], "form.txt", { type: "text/plain" }));
    const response = await request(base, { method: "POST", body: form });
    expect(response.status).toBe(201);
    const attachment = await response.json<Attachment>();
    expect(attachment).toMatchObject({ filename: "form.txt", contentType: "text/plain", size: 17 });
    expect(attachment.sha256).toBe(await sha256Hex(new TextEncoder().encode("hello from a form")));
    const download = await request(`${base}/${attachment.id}`);
    expect(await bodyText(download)).toBe("hello from a form");
  });

  it("streams a multipart file larger than one R2 part through a multipart upload", async () => {
    const { request, base } = await noteWithOwner();
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    const form = new FormData();
    form.append("file", new File([bytes], "big.bin"));
    const response = await request(base, { method: "POST", body: form });
    expect(response.status).toBe(201);
    const attachment = await response.json<Attachment>();
    expect(attachment.size).toBe(bytes.byteLength);
    expect(attachment.sha256).toBe(await sha256Hex(bytes));
    const downloaded = new Uint8Array(await (await request(`${base}/${attachment.id}`)).arrayBuffer());
    expect(await sha256Hex(downloaded)).toBe(attachment.sha256);
  });

  it("answers 422 for a multipart body without a file field, 400 for a malformed one", async () => {
    const { request, base } = await noteWithOwner();
    const form = new FormData();
    form.append("other", "x");
    await expectProblem(await request(base, { method: "POST", body: form }), 422);
    const broken = await request(base, {
      method: "POST",
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nno closing boundary',
      headers: { "Content-Type": "multipart/form-data; boundary=xyz" },
    });
    await expectProblem(broken, 400);
  });

  it("answers 411 for a raw upload without Content-Length", async () => {
    const { request, base } = await noteWithOwner();
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("no length"));
        controller.close();
      },
    });
    await expectProblem(await request(base, { method: "POST", body: stream }), 411);
  });

  it("sanitises filenames and refuses ones with nothing left", async () => {
    const { request, base } = await noteWithOwner();
    const named = async (filename: string) =>
      (await upload(request, base.split("/")[3] as string, "x", filename)).filename;
    expect(await named("../../etc/passwd")).toBe("passwd");
    expect(await named("C:\\Users\\me\\report.pdf")).toBe("report.pdf");
    expect(await named("evil\u202Efdp.exe")).toBe("evilfdp.exe");
    expect(await named("tab\there\u0001.txt")).toBe("tabhere.txt");
    // U+0000 breaks the text rule every input follows: refused, not cleaned.
    for (const bad of ["", "..", "/", "\u0001", "x".repeat(256), "nul\u0000.txt"]) {
      const response = await request(`${base}?filename=${encodeURIComponent(bad)}`, rawUpload("x"));
      await expectProblem(response, bad === "" ? 422 : 422);
    }
  });

  it("names an upload without a filename 'attachment'", async () => {
    const { request, base } = await noteWithOwner();
    const response = await request(base, rawUpload("x"));
    expect((await response.json<Attachment>()).filename).toBe("attachment");
  });
});

describe("GET /v1/notes/{id}/attachments", () => {
  it("lists a note's attachments, oldest first", async () => {
    const { request, note, base } = await noteWithOwner();
    const first = await upload(request, note.id, "one", "1.txt");
    const second = await upload(request, note.id, "two", "2.txt");
    const list = await (await request(base)).json<{ items: Attachment[]; nextCursor: null }>();
    expect(list).toEqual({ items: [first, second], nextCursor: null });
  });
});

describe("GET /v1/notes/{id}/attachments/{attachmentId}", () => {
  it("streams the bytes with safe headers", async () => {
    const { request, note } = await noteWithOwner();
    const attachment = await upload(request, note.id, "plain text", "naïve file.txt");
    const response = await request(`/v1/notes/${note.id}/attachments/${attachment.id}`);
    expect(response.status).toBe(200);
    expect(await bodyText(response)).toBe("plain text");
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "application/octet-stream",
      "content-length": "10",
      etag: `"${attachment.sha256}"`,
      "content-disposition": "attachment; filename=\"na_ve file.txt\"; filename*=UTF-8''na%C3%AFve%20file.txt",
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-cache",
      "accept-ranges": "bytes",
    });
  });

  it("serves types a browser would run as application/octet-stream, and safe ones as stored", async () => {
    const { request, note } = await noteWithOwner();
    const served = async (contentType: string) => {
      const response = await request(`/v1/notes/${note.id}/attachments?filename=f`, rawUpload("<b>x</b>", contentType));
      const { id } = await response.json<Attachment>();
      return (await request(`/v1/notes/${note.id}/attachments/${id}`)).headers.get("content-type");
    };
    for (const dangerous of [
      "text/html",
      "text/html; charset=utf-8",
      "image/svg+xml",
      "application/xhtml+xml",
      "text/javascript",
      "application/xml",
      "not a type",
    ]) {
      expect(await served(dangerous), dangerous).toBe("application/octet-stream");
    }
    expect(await served("image/png")).toBe("image/png");
    expect(await served("application/pdf")).toBe("application/pdf");
  });

  it("answers Range requests with 206 and 416", async () => {
    const { request, note } = await noteWithOwner();
    const attachment = await upload(request, note.id, "0123456789");
    const url = `/v1/notes/${note.id}/attachments/${attachment.id}`;
    const range = async (value: string) => request(url, { headers: { Range: value } });

    const middle = await range("bytes=2-5");
    expect(middle.status).toBe(206);
    expect(await bodyText(middle)).toBe("2345");
    expect(middle.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(middle.headers.get("content-length")).toBe("4");
    expect(await bodyText(await range("bytes=7-"))).toBe("789");
    expect(await bodyText(await range("bytes=-3"))).toBe("789");
    expect(await bodyText(await range("bytes=8-100"))).toBe("89");

    const beyond = await range("bytes=10-");
    await expectProblem(beyond, 416);
    expect(beyond.headers.get("content-range")).toBe("bytes */10");
    // Several ranges, or a stale If-Range, get the whole file.
    expect((await range("bytes=0-1,3-4")).status).toBe(200);
    const staleIfRange = await request(url, { headers: { Range: "bytes=0-1", "If-Range": '"old"' } });
    expect(staleIfRange.status).toBe(200);
  });

  it("answers 304 for a matching If-None-Match", async () => {
    const { request, note } = await noteWithOwner();
    const attachment = await upload(request, note.id, "cache me");
    const url = `/v1/notes/${note.id}/attachments/${attachment.id}`;
    const response = await request(url, { headers: { "If-None-Match": `"${attachment.sha256}"` } });
    expect(response.status).toBe(304);
    expect(await bodyText(response)).toBe("");
  });
});

describe("PUT /v1/notes/{id}/attachments/{attachmentId}", () => {
  it("replaces the bytes under the same id; the old object is queued, not deleted at once", async () => {
    const { request, note, user } = await noteWithOwner();
    const original = await upload(request, note.id, "version one", "doc.txt");
    const url = `/v1/notes/${note.id}/attachments/${original.id}`;
    const response = await request(url, { ...rawUpload("version two!", "text/plain"), method: "PUT" });
    expect(response.status).toBe(200);
    const replaced = await response.json<Attachment>();
    expect(replaced).toMatchObject({ id: original.id, filename: "doc.txt", size: 12, contentType: "text/plain" });
    expect(replaced.sha256).toBe(await sha256Hex(new TextEncoder().encode("version two!")));
    expect(await bodyText(await request(url))).toBe("version two!");
    // Downloads that began before the swap may still be reading the old object.
    expect(await objectsOf(user.id)).toHaveLength(2);
  });

  it("answers 404 for an attachment that does not exist", async () => {
    const { request, note } = await noteWithOwner();
    const response = await request(`/v1/notes/${note.id}/attachments/0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11`, {
      ...rawUpload("x"),
      method: "PUT",
    });
    await expectProblem(response, 404);
  });
});

describe("DELETE /v1/notes/{id}/attachments/{attachmentId}", () => {
  it("deletes the row and the bytes", async () => {
    const { request, note, user } = await noteWithOwner();
    const attachment = await upload(request, note.id, "bye");
    const url = `/v1/notes/${note.id}/attachments/${attachment.id}`;
    expect((await request(url, { method: "DELETE" })).status).toBe(204);
    expect(await objectsOf(user.id)).toEqual([]);
    await expectProblem(await request(url), 404);
    await expectProblem(await request(url, { method: "DELETE" }), 404);
    expect((await (await request(`/v1/notes/${note.id}`)).json<Note>()).attachmentCount).toBe(0);
  });
});

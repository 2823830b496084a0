import { describe, expect, it } from "vitest";
import { reserveUpload } from "../src/db/queries/attachments";
import { sessionCaller } from "../src/db/queries/caller";
import type { Attachment } from "../src/routes/attachments/attachment.schemas";
import { authed, type signUp as SignUp, signUp } from "./support/accounts";
import { testDatabase } from "./support/api";
import { bodyText, objectsOf, outboxKeys, rawUpload, upload } from "./support/attachments";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";

type Owner = Awaited<ReturnType<typeof SignUp>>;

/** A signed-in user whose requests run with these settings (say, a tiny size limit). */
async function ownerWith(settings: Record<string, string>) {
  const owner = await signUp();
  const request = (path: string, init?: RequestInit) => authed(owner.tokens.access_token, path, init, settings);
  const note = await createNote(request);
  return { ...owner, request, note, base: `/v1/notes/${note.id}/attachments` };
}

async function expectNothingStored(owner: Pick<Owner, "user">) {
  expect(await objectsOf(owner.user.id)).toEqual([]);
  expect(await outboxKeys()).toEqual([]);
}

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe("attachment size limits", () => {
  it("refuses a Content-Length over MAX_ATTACHMENT_BYTES before reading the body (413)", async () => {
    const owner = await ownerWith({ MAX_ATTACHMENT_BYTES: "1000" });
    const response = await owner.request(owner.base, rawUpload(new Uint8Array(1001)));
    const problem = await expectProblem(response, 413);
    expect(problem.detail).toContain("1000 bytes");
    await expectNothingStored(owner);
  });

  it("cuts off a body that is longer than its Content-Length (413), keeping nothing", async () => {
    const owner = await ownerWith({});
    const response = await owner.request(owner.base, {
      method: "POST",
      body: streamOf("0123456789", "and then some more"),
      headers: { "Content-Length": "10" },
    });
    await expectProblem(response, 413);
    await expectNothingStored(owner);
    const rows = await testDatabase().execute("select 1 from attachments");
    expect(rows.rows).toHaveLength(0);
  });

  it("refuses a body shorter than its Content-Length (400), keeping nothing", async () => {
    const owner = await ownerWith({});
    const response = await owner.request(owner.base, {
      method: "POST",
      body: streamOf("short"),
      headers: { "Content-Length": "50" },
    });
    await expectProblem(response, 400);
    await expectNothingStored(owner);
  });

  it("cuts off a multipart file that grows past the limit while streaming (413)", async () => {
    const owner = await ownerWith({ MAX_ATTACHMENT_BYTES: "1000" });
    const form = new FormData();
    form.append("file", new File([new Uint8Array(5000)], "big.bin"));
    await expectProblem(await owner.request(owner.base, { method: "POST", body: form }), 413);
    await expectNothingStored(owner);
  });

  it("enforces the per-user storage quota across notes (413)", async () => {
    const owner = await ownerWith({ USER_STORAGE_QUOTA_BYTES: "100" });
    await upload(owner.request, owner.note.id, "x".repeat(60));
    const other = await createNote(owner.request);
    const response = await owner.request(`/v1/notes/${other.id}/attachments`, rawUpload("y".repeat(60)));
    const problem = await expectProblem(response, 413);
    expect(problem.type).toBe("urn:cloud-notes:problem:storage-quota");
    expect(await objectsOf(owner.user.id)).toHaveLength(1);
    // Replacing counts the new size instead of the old one.
    const [first] = (await (await owner.request(owner.base)).json<{ items: Attachment[] }>()).items;
    const replaced = await owner.request(`${owner.base}/${first?.id}`, { ...rawUpload("z".repeat(90)), method: "PUT" });
    expect(replaced.status).toBe(200);
  });

  it("enforces the quota on the measured size of a multipart file too", async () => {
    const owner = await ownerWith({ USER_STORAGE_QUOTA_BYTES: "100" });
    const form = new FormData();
    form.append("file", new File([new Uint8Array(150)], "f.bin"));
    await expectProblem(await owner.request(owner.base, { method: "POST", body: form }), 413);
    expect(await objectsOf(owner.user.id)).toEqual([]);
  });

  it("holds at most 20 attachments per note (409)", async () => {
    const owner = await ownerWith({});
    for (let i = 0; i < 20; i++) await upload(owner.request, owner.note.id, `file ${i}`);
    const response = await owner.request(owner.base, rawUpload("one too many"));
    const problem = await expectProblem(response, 409);
    expect(problem.type).toBe("urn:cloud-notes:problem:attachment-limit");
    expect(await objectsOf(owner.user.id)).toHaveLength(20);
  });

  it("keeps to 20 even when uploads race", async () => {
    const owner = await ownerWith({});
    for (let i = 0; i < 17; i++) await upload(owner.request, owner.note.id, `file ${i}`);
    const racing = await Promise.all(
      Array.from({ length: 6 }, (_, i) => owner.request(owner.base, rawUpload(`racer ${i}`))),
    );
    expect(racing.filter((response) => response.status === 201)).toHaveLength(3);
    expect(racing.filter((response) => response.status === 409)).toHaveLength(3);
    const listed = await (await owner.request(owner.base)).json<{ items: Attachment[] }>();
    expect(listed.items).toHaveLength(20);
    expect(await objectsOf(owner.user.id)).toHaveLength(20);
  });
});

describe("another user's attachments", () => {
  it("cannot be uploaded to, listed, downloaded, replaced or deleted, and nothing changes", async () => {
    const alice = await ownerWith({});
    const bob = await signUp();
    const attachment = await upload(alice.request, alice.note.id, "alice's bytes", "secret.txt");
    const url = `${alice.base}/${attachment.id}`;

    await expectProblem(await bob.request(alice.base, rawUpload("bob's bytes")), 404);
    await expectProblem(await bob.request(alice.base), 404);
    await expectProblem(await bob.request(url), 404);
    await expectProblem(await bob.request(url, { headers: { Range: "bytes=0-3" } }), 404);
    await expectProblem(await bob.request(url, { ...rawUpload("overwrite"), method: "PUT" }), 404);
    await expectProblem(await bob.request(url, { method: "DELETE" }), 404);
    // Bob's own note with Alice's attachment id: still not his.
    const bobsNote = await createNote(bob.request);
    await expectProblem(await bob.request(`/v1/notes/${bobsNote.id}/attachments/${attachment.id}`), 404);

    expect(await bodyText(await alice.request(url))).toBe("alice's bytes");
    expect(await objectsOf(alice.user.id)).toHaveLength(1);
    expect(await objectsOf(bob.user.id)).toEqual([]);
    const theirs = (await outboxKeys()).filter((key) => key.includes(alice.user.id) || key.includes(bob.user.id));
    expect(theirs).toEqual([]);
  });
});

describe("reservations", () => {
  it("are refused for a session that has ended", async () => {
    const owner = await ownerWith({});
    const refused = await reserveUpload(testDatabase(), sessionCaller({ userId: owner.user.id, tokenVersion: 99 }), {
      noteId: owner.note.id,
      objectKey: "users/x/y",
      announcedBytes: 1,
      quotaBytes: 100,
    });
    expect(refused).toEqual({ kind: "unauthenticated" });
  });
});

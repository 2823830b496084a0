import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { reserveUpload } from "../src/db/queries/attachments";
import { sessionCaller } from "../src/db/queries/caller";
import { json, PASSWORD, signUp } from "./support/accounts";
import { api, testDatabase } from "./support/api";
import {
  bodyText,
  fastForwardOutbox,
  objectsOf,
  outboxKeys,
  rawUpload,
  runScheduledSweep,
  upload,
} from "./support/attachments";
import { captureLogs } from "./support/logs";
import { createNote } from "./support/notes";

describe("attachment bytes follow their rows", () => {
  it("trashing a note keeps its attachments' bytes; purging it deletes them", async () => {
    const { request, user } = await signUp();
    const note = await createNote(request);
    const keep = await createNote(request);
    await upload(request, note.id, "one");
    await upload(request, note.id, "two");
    await upload(request, keep.id, "stays");
    expect((await request(`/v1/notes/${note.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await objectsOf(user.id)).toHaveLength(3);
    expect((await request(`/v1/trash/${note.id}`, { method: "DELETE" })).status).toBe(204);
    expect(await objectsOf(user.id)).toHaveLength(1);
    const { rows } = await testDatabase().execute(sql`select 1 from attachments where note_id = ${note.id}`);
    expect(rows).toHaveLength(0);
  });

  it("deleting the account deletes every byte it stored", async () => {
    const { request, user } = await signUp();
    for (const title of ["a", "b"]) {
      const note = await createNote(request, { title });
      await upload(request, note.id, `bytes of ${title}`);
    }
    expect(await objectsOf(user.id)).toHaveLength(2);
    expect((await request("/v1/users/me", json({ password: PASSWORD }, { method: "DELETE" }))).status).toBe(204);
    expect(await objectsOf(user.id)).toEqual([]);
    // The trigger queued the keys too, in case R2 had failed; the sweep settles them.
    await runScheduledSweep();
    expect(await outboxKeys()).toEqual([]);
  });

  it("the sweep removes replaced bytes once their grace period is over", async () => {
    const { request, user } = await signUp();
    const note = await createNote(request);
    const attachment = await upload(request, note.id, "old");
    const url = `/v1/notes/${note.id}/attachments/${attachment.id}`;
    await request(url, { ...rawUpload("new"), method: "PUT" });
    expect(await objectsOf(user.id)).toHaveLength(2);
    await runScheduledSweep(); // not due yet
    expect(await objectsOf(user.id)).toHaveLength(2);
    await fastForwardOutbox();
    await runScheduledSweep();
    expect(await objectsOf(user.id)).toHaveLength(1);
    expect(await bodyText(await request(url))).toBe("new");
  });
});

describe("a failure between the R2 write and the database write", () => {
  const logs = captureLogs();
  it("leaves an orphan that the scheduled sweep removes after the grace period", async () => {
    const { user, request } = await signUp();
    const note = await createNote(request);
    const neighbour = await signUp(); // a confirmed attachment of someone else, never swept
    await upload(neighbour.request, (await createNote(neighbour.request)).id, "confirmed");

    // The request reserved its key and wrote the bytes, then died before confirming.
    const objectKey = `users/${user.id}/${crypto.randomUUID()}`;
    const auth = sessionCaller({ userId: user.id, tokenVersion: 0 });
    const db = testDatabase();
    expect(await reserveUpload(db, auth, { noteId: note.id, objectKey, announcedBytes: 5, quotaBytes: 1e9 })).toEqual({
      kind: "done",
      value: undefined,
    });
    await env.ATTACHMENTS.put(objectKey, "bytes");
    expect(await objectsOf(user.id)).toEqual([objectKey]);

    await runScheduledSweep(); // within the grace period: it may still be confirmed
    expect(await objectsOf(user.id)).toEqual([objectKey]);

    await fastForwardOutbox();
    await runScheduledSweep();
    expect(await objectsOf(user.id)).toEqual([]);
    expect(await outboxKeys()).not.toContain(objectKey);
    expect(await objectsOf(neighbour.user.id)).toHaveLength(1);
  });

  it("retries a deletion R2 refused, later", async () => {
    const { request, user, tokens } = await signUp();
    const note = await createNote(request);
    await upload(request, note.id, "doomed");
    const failingBucket = {
      ...env.ATTACHMENTS,
      delete: async () => {
        throw new Error("R2 is down");
      },
    } as unknown as R2Bucket;
    // The note is purged while R2 refuses: the row is gone, the key waits in the outbox.
    await api(`/v1/notes/${note.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    });
    const response = await api(
      `/v1/trash/${note.id}`,
      { method: "DELETE", headers: { Authorization: `Bearer ${tokens.access_token}` } },
      { ATTACHMENTS: failingBucket },
    );
    expect(response.status).toBe(204);
    expect(await objectsOf(user.id)).toHaveLength(1);
    expect(logs.errors("R2 delete failed; the sweep will retry")).toHaveLength(1);
    await runScheduledSweep({ ATTACHMENTS: failingBucket });
    expect(logs.errors("sweep: R2 delete failed")).toHaveLength(1);
    const { rows } = await testDatabase().execute<{ attempts: number }>(sql`select attempts from r2_outbox`);
    expect(rows[0]?.attempts).toBe(1);
    await fastForwardOutbox();
    await runScheduledSweep();
    expect(await objectsOf(user.id)).toEqual([]);
    expect(await outboxKeys()).toEqual([]);
  });
});

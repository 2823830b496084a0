import { describe, expect, it } from "vitest";
import { WEBHOOK_EVENTS, WEBHOOK_LIMITS } from "../src/db/schema";
import { authed, json, signUp } from "./support/accounts";
import { addMember, createNotebook } from "./support/notebooks";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";
import { deliverQueued, dispatch, newReceiver, subscribe } from "./support/webhooks";

// Managing webhook endpoints: the owner's own, secrets shown once, URLs judged before they are saved.
// Deliveries: webhook-delivery.test.ts.

const hook = (url: string, fields: Record<string, unknown> = {}) => json({ url, ...fields });

describe("webhook endpoints", () => {
  it("are created with a secret shown once, then read, listed, changed and deleted by their owner", async () => {
    const user = await signUp();
    const receiver = await newReceiver();
    const created = await user.request("/v1/webhooks", hook(receiver.url, { events: ["note.created"] }));
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const webhook = await created.json<Record<string, unknown>>();
    expect(webhook).toMatchObject({
      url: receiver.url,
      events: ["note.created"],
      notebookId: null,
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
      version: 1,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    });
    expect(created.headers.get("location")).toBe(`/v1/webhooks/${webhook.id}`);

    const read = await user.request(`/v1/webhooks/${webhook.id}`);
    expect(read.status).toBe(200);
    const { secret: _, ...withoutSecret } = webhook;
    expect(await read.json()).toEqual(withoutSecret);
    const etag = read.headers.get("etag") ?? "";
    expect((await user.request(`/v1/webhooks/${webhook.id}`, { headers: { "if-none-match": etag } })).status).toBe(304);

    const listed = await (await user.request("/v1/webhooks")).json<{ items: unknown[]; nextCursor: null }>();
    expect(listed).toEqual({ items: [withoutSecret], nextCursor: null });
    expect(JSON.stringify(listed)).not.toContain(String(webhook.secret));

    const changed = await user.request(
      `/v1/webhooks/${webhook.id}`,
      patchJson({ events: ["note.updated", "note.trashed"], enabled: false }, { "if-match": etag }),
    );
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      events: ["note.updated", "note.trashed"],
      enabled: false,
      version: 2,
    });
    await expectProblem(
      await user.request(`/v1/webhooks/${webhook.id}`, patchJson({ description: "stale" }, { "if-match": etag })),
      412,
    );
    await expectProblem(
      await user.request(`/v1/webhooks/${webhook.id}`, { method: "DELETE", headers: { "if-match": etag } }),
      412,
    );
    expect((await user.request(`/v1/webhooks/${webhook.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await user.request(`/v1/webhooks/${webhook.id}`), 404);
  });

  it("subscribe to every event type when none are named", async () => {
    const user = await signUp();
    const created = await user.request("/v1/webhooks", hook((await newReceiver()).url));
    expect((await created.json<{ events: string[] }>()).events).toEqual([...WEBHOOK_EVENTS]);
  });

  it("are another user's business only: every route answers 404, as for an id that does not exist", async () => {
    const [owner, stranger] = await Promise.all([signUp(), signUp()]);
    const { webhook } = await subscribe(owner.request);
    const delivery = crypto.randomUUID();
    const attempts: [string, RequestInit][] = [
      [`/v1/webhooks/${webhook.id}`, {}],
      [`/v1/webhooks/${webhook.id}`, patchJson({ enabled: false })],
      [`/v1/webhooks/${webhook.id}`, { method: "DELETE" }],
      [`/v1/webhooks/${webhook.id}/secret`, { method: "POST" }],
      [`/v1/webhooks/${webhook.id}/ping`, { method: "POST" }],
      [`/v1/webhooks/${webhook.id}/attempts`, {}],
      [`/v1/webhooks/${webhook.id}/deliveries/${delivery}/redeliver`, { method: "POST" }],
    ];
    for (const [path, init] of attempts) {
      const theirs = await expectProblem(await stranger.request(path, init), 404);
      const missing = await expectProblem(
        await stranger.request(path.replace(webhook.id, crypto.randomUUID()), init),
        404,
      );
      expect(theirs.detail).toBe(missing.detail);
    }
    // A delivery of the owner's, under the stranger's own endpoint: as missing as any.
    const mine = await subscribe(stranger.request);
    await createNote(owner.request);
    await deliverQueued(await dispatch());
    const log = await (await owner.request(`/v1/webhooks/${webhook.id}/attempts`)).json<{
      items: { deliveryId: string }[];
    }>();
    const theirDelivery = log.items[0]?.deliveryId;
    expect(theirDelivery).toEqual(expect.any(String));
    await expectProblem(
      await stranger.request(`/v1/webhooks/${mine.webhook.id}/deliveries/${theirDelivery}/redeliver`, {
        method: "POST",
      }),
      404,
    );
    expect((await stranger.request("/v1/webhooks")).status).toBe(200);
    expect((await (await stranger.request("/v1/webhooks")).json<{ items: { id: string }[] }>()).items).toEqual([
      expect.objectContaining({ id: mine.webhook.id }),
    ]);
    // Still there, unchanged, for its owner.
    expect(await (await owner.request(`/v1/webhooks/${webhook.id}`)).json()).toMatchObject({
      enabled: true,
      version: 1,
    });
  });

  it("refuse URLs that are not https, or name this machine, a private network or a metadata service", async () => {
    const user = await signUp();
    const deployed = { WEBHOOK_LOCAL_RECEIVERS: "false" };
    const refused = [
      "http://hooks.example.com/x",
      "https://127.0.0.1/x",
      "https://localhost/x",
      "https://10.1.2.3/x",
      "https://169.254.169.254/latest/meta-data",
      "https://metadata.google.internal/",
      "https://[::1]/x",
      "https://user:pass@hooks.example.com/",
      "not a url",
    ];
    for (const url of refused) {
      // As a deployed worker judges them.
      const body = await expectProblem(
        await authed(user.tokens.access_token, "/v1/webhooks", hook(url), deployed),
        422,
      );
      expect(body.errors).toEqual([{ path: "body.url", message: expect.any(String) }]);
    }
    // The tests' worker, like `npm run dev`, may reach a receiver on this machine, and only that.
    for (const url of refused.filter((url) => !/localhost|127\.0\.0\.1|\[::1\]|^http:/.test(url))) {
      await expectProblem(await user.request("/v1/webhooks", hook(url)), 422);
    }
    const webhook = await (await user.request("/v1/webhooks", hook("https://hooks.example.test/ok"))).json<{
      id: string;
    }>();
    await expectProblem(
      await user.request(`/v1/webhooks/${webhook.id}`, patchJson({ url: "https://192.168.0.1/" })),
      422,
    );
    expect((await (await user.request("/v1/webhooks")).json<{ items: unknown[] }>()).items).toHaveLength(1);
  });

  it(`stop at ${WEBHOOK_LIMITS.endpointsPerUser} per user with a 409 that says so`, async () => {
    const user = await signUp();
    for (let n = 0; n < WEBHOOK_LIMITS.endpointsPerUser; n++) {
      expect((await user.request("/v1/webhooks", hook(`https://hooks.example.test/${n}`))).status).toBe(201);
    }
    const body = await expectProblem(await user.request("/v1/webhooks", hook("https://hooks.example.test/more")), 409);
    expect(body.type).toBe("urn:cloud-notes:problem:webhook-limit");
  });

  it("for a notebook are its owner's to make: a member gets 403, an outsider 404", async () => {
    const [owner, member, outsider] = await Promise.all([signUp(), signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, member, "editor");
    const body = hook("https://hooks.example.test/nb", { notebookId: notebook.id });
    expect((await owner.request("/v1/webhooks", body)).status).toBe(201);
    await expectProblem(await member.request("/v1/webhooks", body), 403);
    await expectProblem(await outsider.request("/v1/webhooks", body), 404);
  });

  it("rotate their secret: the new one is shown once, and the old one stays valid for a day", async () => {
    const user = await signUp();
    const { webhook } = await subscribe(user.request);
    const rotated = await user.request(`/v1/webhooks/${webhook.id}/secret`, { method: "POST" });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get("cache-control")).toBe("no-store");
    const { secret, previousSecretExpiresAt } = await rotated.json<{
      secret: string;
      previousSecretExpiresAt: string;
    }>();
    expect(secret).not.toBe(webhook.secret);
    const hours = (Date.parse(previousSecretExpiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(WEBHOOK_LIMITS.previousSecretHours - 0.1);
    expect(hours).toBeLessThanOrEqual(WEBHOOK_LIMITS.previousSecretHours);
    expect(await (await user.request(`/v1/webhooks/${webhook.id}`)).json()).toMatchObject({
      previousSecretExpiresAt,
      version: 2,
    });
  });
});

import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { WEBHOOK_LIMITS } from "../src/db/schema";
import { NUDGE_DELAY_SECONDS } from "../src/middleware/webhook-nudge";
import { retryDelaySeconds } from "../src/webhooks/send";
import { authed, json, signUp } from "./support/accounts";
import { testDatabase } from "./support/api";
import { captureLogs } from "./support/logs";
import { team } from "./support/notebooks";
import { createNote, patchJson } from "./support/notes";
import { deadLetters, deliveriesQueue } from "./support/queues";
import { changesPage } from "./support/sync";
import { consume, deliverQueued, dispatch, eventsAt, retriesDue, subscribe } from "./support/webhooks";

// Deliveries end to end: a write, the feed, the dispatcher, the queue's consumer, and a real receiver
// that verifies every signature with the `standardwebhooks` reference library.

const edit = (title: string) => patchJson({ title });
const deliveryIdOf = (message: unknown) => (message as { deliveryId: string }).deliveryId;

describe("webhook deliveries", () => {
  const logs = captureLogs();

  it("bring a member's edit to another member's feed and their receiver within one consumer run", async () => {
    const { editor, viewer, notebook } = await team();
    const note = await createNote(editor.request, { notebookId: notebook.id });
    const start = await changesPage(viewer.request);
    const { receiver } = await subscribe(viewer.request, { events: ["note.created", "note.updated"] });
    expect((await editor.request(`/v1/notes/${note.id}`, edit("Edited"))).status).toBe(200);

    expect((await changesPage(viewer.request, start.cursor)).items.map((c) => `${c.kind} ${c.action} ${c.id}`)).toEqual(
      [`note updated ${note.id}`],
    );
    const due = await dispatch();
    expect(due).toHaveLength(1);
    const runs = await deliverQueued(due);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.explicitAcks).toHaveLength(1);
    const [delivery] = await receiver.received();
    expect(delivery).toMatchObject({
      verified: true,
      answered: 200,
      webhookId: expect.stringMatching(/^msg_[0-9a-f-]{36}$/),
    });
    expect(delivery?.payload).toMatchObject({
      type: "note.updated",
      timestamp: expect.any(String),
      data: { kind: "note", id: note.id, notebookId: notebook.id, action: "updated", version: 2 },
    });
    // Nothing more to send: the feed position moved on.
    expect(await dispatch()).toEqual([]);
  });

  it("send a subject's later events only after its earlier ones, each as the one before is settled", async () => {
    const user = await signUp();
    const { receiver } = await subscribe(user.request);
    const note = await createNote(user.request);
    expect((await user.request(`/v1/notes/${note.id}`, edit("Edited"))).status).toBe(200);
    const due = await dispatch();
    expect(due).toHaveLength(1); // the update waits for the creation
    expect(await deliverQueued(due)).toHaveLength(2);
    expect(await eventsAt(receiver)).toEqual([`note.created ${note.id}`, `note.updated ${note.id}`]);
  });

  it("keep each note's order and send each event once when dispatchers run at the same time", async () => {
    const user = await signUp();
    const { receiver } = await subscribe(user.request);
    const notes = await Promise.all([1, 2, 3].map(() => createNote(user.request)));
    for (const round of [1, 2, 3]) {
      await Promise.all(notes.map((note) => user.request(`/v1/notes/${note.id}`, edit(`Round ${round}`))));
    }
    deliveriesQueue.take();
    await Promise.all([
      consume([{ kind: "dispatch" }]),
      consume([{ kind: "dispatch" }]),
      consume([{ kind: "dispatch" }]),
    ]);
    const due = deliveriesQueue.take().map((message) => message.body);
    expect(due).toHaveLength(3);
    await deliverQueued(due);
    const received = (await receiver.received()).map(
      (delivery) => delivery.payload as { data: { id: string; version: number } },
    );
    expect(received).toHaveLength(12);
    for (const note of notes) {
      expect(received.filter((payload) => payload.data.id === note.id).map((payload) => payload.data.version)).toEqual([
        1, 2, 3, 4,
      ]);
    }
  });

  it("send a delivery once when its message comes twice at once, or again after it was lost", async () => {
    const user = await signUp();
    const { receiver } = await subscribe(user.request);
    const note = await createNote(user.request);
    const [message] = await dispatch();
    const twice = await consume([message, message]);
    expect(twice.explicitAcks).toHaveLength(2);
    expect(await eventsAt(receiver)).toEqual([`note.created ${note.id}`]);

    // A message lost between Postgres and the queue: the dispatcher sends it again once it is overdue.
    expect((await user.request(`/v1/notes/${note.id}`, edit("Lost"))).status).toBe(200);
    const [lost] = await dispatch();
    expect(await dispatch()).toEqual([]);
    await testDatabase().execute(
      sql`update webhook_deliveries set due_at = now() - interval '3 minutes' where id = ${deliveryIdOf(lost)}`,
    );
    expect(await dispatch()).toEqual([lost]);
    await deliverQueued([lost as never]);
    expect(await eventsAt(receiver)).toEqual([`note.created ${note.id}`, `note.updated ${note.id}`]);
  });

  it("a write nudges the dispatcher through the queue, a few seconds later, at most once in that time", async () => {
    const user = await signUp();
    // Past the window of any nudge an earlier test's writes sent.
    await new Promise((resolve) => setTimeout(resolve, NUDGE_DELAY_SECONDS * 1000 + 100));
    deliveriesQueue.take();
    await createNote(user.request);
    await createNote(user.request);
    expect(deliveriesQueue.take()).toEqual([{ body: { kind: "dispatch" }, delaySeconds: NUDGE_DELAY_SECONDS }]);
  });

  it("never fail a write when the queue refuses its nudge", async () => {
    const user = await signUp();
    await new Promise((resolve) => setTimeout(resolve, NUDGE_DELAY_SECONDS * 1000 + 100));
    const refusing = {
      send: () => {
        throw new Error("the queue is down");
      },
    } as unknown as Queue;
    const created = await authed(user.tokens.access_token, "/v1/notes", json({ title: "Kept", content: "" }), {
      WEBHOOK_DELIVERIES: refusing,
    });
    expect(created.status).toBe(201);
    expect(logs.errors("webhooks: nudging the dispatcher failed")).toHaveLength(1);
  });

  it("send only the event types asked for, and for a notebook's endpoint only that notebook", async () => {
    const { owner, editor, notebook } = await team();
    const { receiver: all } = await subscribe(owner.request, { events: ["note.trashed"] });
    const { receiver: notebookOnly } = await subscribe(owner.request, { notebookId: notebook.id });
    const loose = await createNote(owner.request);
    const shared = await createNote(editor.request, { notebookId: notebook.id });
    expect((await owner.request(`/v1/notes/${shared.id}`, { method: "DELETE" })).status).toBe(204);
    await deliverQueued(await dispatch());
    expect(await eventsAt(all)).toEqual([`note.trashed ${shared.id}`]);
    expect(await eventsAt(notebookOnly)).toEqual([`note.created ${shared.id}`, `note.trashed ${shared.id}`]);
    expect((await eventsAt(notebookOnly)).join()).not.toContain(loose.id);
  });

  it("tell a removed member's receiver the notebook is gone, and nothing of it after", async () => {
    const { owner, editor, viewer, notebook } = await team();
    const { receiver } = await subscribe(viewer.request);
    const removal = await owner.request(`/v1/notebooks/${notebook.id}/members/${viewer.user.id}`, { method: "DELETE" });
    expect(removal.status).toBe(204);
    const later = await createNote(editor.request, { notebookId: notebook.id });
    await deliverQueued(await dispatch());
    expect(await eventsAt(receiver)).toEqual([`notebook.removed ${notebook.id}`]);
    expect((await eventsAt(receiver)).join()).not.toContain(later.id);
  });

  it("after a receiver was down for an hour, bring every event, in order of creation per note", async () => {
    const user = await signUp();
    const { receiver } = await subscribe(user.request);
    await receiver.answer(503);
    const notes = [await createNote(user.request), await createNote(user.request)];
    for (const round of [1, 2, 3]) {
      for (const note of notes) {
        expect((await user.request(`/v1/notes/${note.id}`, edit(`Round ${round}`))).status).toBe(200);
      }
    }
    const due = await dispatch();
    expect(due).toHaveLength(2); // the first event of each note; the rest wait behind them
    // An hour of tries, each failing, each retried later with a longer delay (the queue's delay is not
    // waited for here: the consumer does not look at the clock).
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      if (attempt > 1) await retriesDue();
      const result = await consume(due, {}, attempt);
      expect(result.explicitAcks).toEqual([]);
      delays.push(...new Set(result.retryMessages.map((message) => message.delaySeconds ?? 0)));
      expect(deliveriesQueue.take().filter((m) => m.body.kind === "deliver")).toEqual([]);
    }
    expect(delays).toEqual([1, 2, 3, 4, 5, 6, 7].map(retryDelaySeconds));
    expect(delays.reduce((sum, delay) => sum + delay, 0)).toBeGreaterThan(3600);

    await receiver.answer(200);
    await retriesDue();
    await deliverQueued(due);
    const delivered = (await receiver.received()).filter((delivery) => delivery.answered === 200);
    expect(delivered).toHaveLength(8);
    for (const note of notes) {
      const versions = delivered
        .map((delivery) => delivery.payload as { type: string; data: { id: string; version: number } })
        .filter((payload) => payload.data.id === note.id)
        .map((payload) => `${payload.type} v${payload.data.version}`);
      expect(versions).toEqual(["note.created v1", "note.updated v2", "note.updated v3", "note.updated v4"]);
    }
    // The failed tries reached the receiver too (and were answered 503): 2 notes, 7 tries each.
    expect(await receiver.received()).toHaveLength(8 + 14);
    // An hour's outage is no reason to turn the endpoint off.
    const [endpoint] = (await (await user.request("/v1/webhooks")).json<{ items: { enabled: boolean }[] }>()).items;
    expect(endpoint?.enabled).toBe(true);
  });

  it("give a delivery up after its last try: to the dead-letter queue, and the next one of its note goes", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    await receiver.answer(500);
    const note = await createNote(user.request);
    expect((await user.request(`/v1/notes/${note.id}`, edit("Later"))).status).toBe(200);
    const [first] = await dispatch();
    await testDatabase().execute(
      sql`update webhook_deliveries set attempts = ${WEBHOOK_LIMITS.attempts - 1} where id = ${deliveryIdOf(first)}`,
    );
    deadLetters.take();
    const result = await consume([first]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(deadLetters.take()).toEqual([
      {
        body: {
          deliveryId: deliveryIdOf(first),
          endpointId: webhook.id,
          type: "note.created",
          attempts: WEBHOOK_LIMITS.attempts,
          lastError: "HTTP 500",
        },
        delaySeconds: undefined,
      },
    ]);
    const next = deliveriesQueue.take().filter((message) => message.body.kind === "deliver");
    expect(next).toHaveLength(1);
    await receiver.answer(200);
    await deliverQueued(next.map((message) => message.body));
    expect((await eventsAt(receiver)).at(-1)).toBe(`note.updated ${note.id}`);
  });

  it("turn an endpoint off when most deliveries failed over a day, say why, and resume from there when it is on", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    await receiver.answer(503);
    const db = testDatabase();
    // A day of failures behind it, nothing succeeding since 20 hours ago.
    await db.execute(sql`
      insert into webhook_attempts (endpoint_id, webhook_id, type, ok, status, duration_ms, at)
      select ${webhook.id}, 'msg_old', 'note.updated', false, 503, 5, now() - make_interval(hours => n)
      from generate_series(1, 20) as n`);
    await db.execute(
      sql`update webhook_endpoints set failing_since = now() - interval '20 hours' where id = ${webhook.id}`,
    );
    const note = await createNote(user.request);
    const due = await dispatch();
    const failed = await consume(due);
    expect(failed.retryMessages).toHaveLength(1);
    const off = await (await user.request(`/v1/webhooks/${webhook.id}`)).json<{
      enabled: boolean;
      disabledReason: string;
    }>();
    expect(off.enabled).toBe(false);
    expect(off.disabledReason).toMatch(
      /21 of the last 21 deliveries in 24 hours failed, none succeeded since \S+Z; the last: HTTP 503\.$/,
    );
    expect(
      logs.lines.some((line) => line.message === "webhooks: an endpoint was turned off, most deliveries to it failing"),
    ).toBe(true);

    // Off: the retry finds nothing to send, and new changes wait.
    await retriesDue();
    expect((await consume(due)).explicitAcks).toHaveLength(1);
    expect((await user.request(`/v1/notes/${note.id}`, edit("While off"))).status).toBe(200);
    expect(await dispatch()).toEqual([]);

    await receiver.answer(200);
    const on = await user.request(`/v1/webhooks/${webhook.id}`, patchJson({ enabled: true }));
    expect(await on.json()).toMatchObject({ enabled: true, disabledReason: null });
    await deliverQueued(await dispatch());
    expect(await eventsAt(receiver).then((events) => events.slice(-2))).toEqual([
      `note.created ${note.id}`,
      `note.updated ${note.id}`,
    ]);
  });

  it("answer a ping with what the receiver said, keep each try in the log, and redeliver on request", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    const ping = await user.request(`/v1/webhooks/${webhook.id}/ping`, { method: "POST" });
    expect(await ping.json()).toMatchObject({
      ok: true,
      status: 200,
      error: null,
      webhookId: expect.stringMatching(/^ping_/),
    });
    await receiver.answer(418);
    expect(await (await user.request(`/v1/webhooks/${webhook.id}/ping`, { method: "POST" })).json()).toMatchObject({
      ok: false,
      status: 418,
    });
    await receiver.answer(200);
    const note = await createNote(user.request);
    await deliverQueued(await dispatch());

    const log = await (await user.request(`/v1/webhooks/${webhook.id}/attempts?limit=2`)).json<{
      items: { deliveryId: string | null; type: string; ok: boolean; status: number; durationMs: number }[];
      nextCursor: string;
    }>();
    expect(log.items.map((a) => [a.type, a.ok, a.status])).toEqual([
      ["note.created", true, 200],
      ["webhook.ping", false, 418],
    ]);
    const rest = await (
      await user.request(`/v1/webhooks/${webhook.id}/attempts?limit=2&cursor=${encodeURIComponent(log.nextCursor)}`)
    ).json<{ items: { type: string; ok: boolean }[]; nextCursor: null }>();
    expect(rest).toEqual({ items: [expect.objectContaining({ type: "webhook.ping", ok: true })], nextCursor: null });

    const deliveryId = log.items[0]?.deliveryId;
    deliveriesQueue.take();
    const again = await user.request(`/v1/webhooks/${webhook.id}/deliveries/${deliveryId}/redeliver`, {
      method: "POST",
    });
    expect(again.status).toBe(202);
    const queued = deliveriesQueue.take().filter((message) => message.body.kind === "deliver");
    expect(queued.map((message) => message.body)).toEqual([{ kind: "deliver", deliveryId }]);
    await deliverQueued(queued.map((message) => message.body));
    const received = await receiver.received();
    const ofNote = received.filter((delivery) => (delivery.payload as { data: { id?: string } }).data.id === note.id);
    expect(ofNote).toHaveLength(2);
    expect(ofNote[0]?.webhookId).toBe(ofNote[1]?.webhookId);
  });

  it("sign with both secrets during a rotation, each verifying alone", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    const { secret } = await (await user.request(`/v1/webhooks/${webhook.id}/secret`, { method: "POST" })).json<{
      secret: string;
    }>();
    await receiver.trust([secret]);
    await createNote(user.request);
    await deliverQueued(await dispatch());
    await receiver.trust([webhook.secret]);
    expect((await user.request(`/v1/webhooks/${webhook.id}/ping`, { method: "POST" })).status).toBe(200);
    const received = await receiver.received();
    expect(received.map((delivery) => [delivery.verified, delivery.signatures])).toEqual([
      [true, 2],
      [true, 2],
    ]);
  });

  it("judge the URL again before each try: a destination refused now is a failed try, and nothing is sent", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    await createNote(user.request);
    const due = await dispatch();
    const result = await consume(due, { WEBHOOK_LOCAL_RECEIVERS: "false" });
    expect(result.retryMessages).toHaveLength(1);
    expect(await receiver.received()).toEqual([]);
    const log = await (await user.request(`/v1/webhooks/${webhook.id}/attempts`)).json<{
      items: { error: string }[];
    }>();
    expect(log.items[0]?.error).toMatch(/^Refused destination: the URL must be an https URL\.$/);
  });

  it("drop a message of no known shape, and retry one whose work failed", async () => {
    const result = await consume([{ kind: "mystery" }, { kind: "deliver", deliveryId: crypto.randomUUID() }], {
      DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
    });
    expect(result.explicitAcks).toEqual([result.ids[0]]);
    expect(result.retryMessages).toEqual([{ msgId: result.ids[1], delaySeconds: 60 }]);
    expect(logs.errors("webhooks: a queue message of no known shape was dropped")).toHaveLength(1);
    expect(logs.errors("webhooks: handling a queue message failed")).toHaveLength(1);
  });

  // An unreachable receiver fails the same way (a try without a status, its reason in the log), but
  // workerd prints its own "uncaught exception" line for every refused connection, caught or not.
  it("count a redirect as a failure, saying why, and never follow it", async () => {
    const user = await signUp();
    const { receiver, webhook } = await subscribe(user.request);
    const { receiver: elsewhere } = await subscribe(user.request);
    await receiver.answer(307, elsewhere.url);
    const ping = await user.request(`/v1/webhooks/${webhook.id}/ping`, { method: "POST" });
    expect(await ping.json()).toMatchObject({
      ok: false,
      status: 307,
      error: "Redirects are not followed: answer 2xx at this URL.",
    });
    expect(await receiver.received()).toHaveLength(1);
    expect(await elsewhere.received()).toEqual([]);
  });
});

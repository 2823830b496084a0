import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { form, json, PASSWORD, type Requester, signUp, uniqueEmail, uniqueIp } from "./support/accounts";
import { api, roundTripsDuring, testDatabase } from "./support/api";
import { objectsOf, rawUpload, runScheduledSweep } from "./support/attachments";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

/** `init` with an Idempotency-Key. */
function keyed(key: string, init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  headers.set("Idempotency-Key", key);
  return { ...init, headers };
}

const newKey = () => `key-${crypto.randomUUID()}`;

/** What a client can see of an answer: replays must match it exactly. */
async function seen(response: Response) {
  return {
    status: response.status,
    location: response.headers.get("location"),
    etag: response.headers.get("etag"),
    contentType: response.headers.get("content-type"),
    cacheControl: response.headers.get("cache-control"),
    body: await response.text(),
  };
}

/** Sends `init` twice with one key: the first answer, and its replay. */
async function sendTwice(request: Requester, path: string, init: () => RequestInit) {
  const key = newKey();
  const first = await request(path, keyed(key, init()));
  const second = await request(path, keyed(key, init()));
  expect(first.headers.get("idempotent-replayed")).toBeNull();
  expect(second.headers.get("idempotent-replayed")).toBe("true");
  const [original, replayed] = [await seen(first), await seen(second)];
  expect(replayed).toEqual(original);
  return { key, original };
}

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const { rows } = await testDatabase().execute<{ count: number }>(query);
  return Number(rows[0]?.count);
}

const notesOf = (userId: string) => count(sql`select count(*) from notes where owner_id = ${userId}`);
const storedKeys = (key: string) => count(sql`select count(*) from idempotent_requests where key = ${key}`);

describe("Idempotency-Key", () => {
  it("replays POST /v1/notes: one note, the same status, Location, ETag and body", async () => {
    const { request, user } = await signUp();
    const { original } = await sendTwice(request, "/v1/notes", () => json({ title: "Once", content: "only once" }));
    expect(original.status).toBe(201);
    expect(original.location).toMatch(/^\/v1\/notes\/[0-9a-f-]{36}$/);
    expect(original.etag).toBe('"v1"');
    expect(await notesOf(user.id)).toBe(1);
  });

  it("replays POST /v1/notebooks", async () => {
    const { request, user } = await signUp();
    const { original } = await sendTwice(request, "/v1/notebooks", () => json({ name: "Work" }));
    expect(original.status).toBe(201);
    expect(await count(sql`select count(*) from notebooks where owner_id = ${user.id}`)).toBe(1);
  });

  it("replays PUT /v1/public/notes/{id}/vote", async () => {
    const author = await signUp();
    const voter = await signUp();
    const note = await createNote(author.request);
    expect((await author.request(`/v1/notes/${note.id}`, patchJson({ visibility: "public" }))).status).toBe(200);
    const path = `/v1/public/notes/${note.id}/vote`;
    const { original } = await sendTwice(voter.request, path, () => json({ value: 1 }, { method: "PUT" }));
    expect(original.status).toBe(200);
    expect(JSON.parse(original.body)).toMatchObject({ upvotes: 1 });
    expect(await count(sql`select count(*) from votes where note_id = ${note.id}`)).toBe(1);
  });

  it("replays an upload without storing the bytes again: one attachment, one R2 object", async () => {
    const { request, user } = await signUp();
    const note = await createNote(request);
    const path = `/v1/notes/${note.id}/attachments?filename=once.txt`;
    const { original } = await sendTwice(request, path, () => rawUpload("the bytes", "text/plain"));
    expect(original.status).toBe(201);
    expect(await count(sql`select count(*) from attachments where note_id = ${note.id}`)).toBe(1);
    expect(await objectsOf(user.id)).toHaveLength(1);
  });

  it("replays a multipart upload although the client draws a new boundary for the retry", async () => {
    const { request, user } = await signUp();
    const note = await createNote(request);
    const key = newKey();
    const send = () => {
      const form = new FormData();
      form.append("file", new File(["form bytes"], "form.txt", { type: "text/plain" }));
      return request(`/v1/notes/${note.id}/attachments`, keyed(key, { method: "POST", body: form }));
    };
    expect((await send()).status).toBe(201);
    const retry = await send();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await count(sql`select count(*) from attachments where note_id = ${note.id}`)).toBe(1);
    expect(await objectsOf(user.id)).toHaveLength(1);
  });

  it("answers 422 idempotency-mismatch for the same key with another body, and runs nothing", async () => {
    const { request, user } = await signUp();
    const key = newKey();
    expect((await request("/v1/notes", keyed(key, json({ title: "A", content: "a" })))).status).toBe(201);
    const problem = await expectProblem(
      await request("/v1/notes", keyed(key, json({ title: "B", content: "b" }))),
      422,
    );
    expect(problem.type).toBe("urn:cloud-notes:problem:idempotency-mismatch");
    expect(problem.errors).toEqual([expect.objectContaining({ path: "header.idempotency-key" })]);
    // Another path with the key is another request too.
    await expectProblem(await request("/v1/notebooks", keyed(key, json({ title: "A", content: "a" }))), 422);
    expect(await notesOf(user.id)).toBe(1);
  });

  it("keeps each caller's keys apart: another user with the same key gets a fresh answer", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const key = newKey();
    const body = () => keyed(key, json({ title: "Same", content: "same" }));
    const fromAlice = await alice.request("/v1/notes", body());
    const fromBob = await bob.request("/v1/notes", body());
    expect([fromAlice.status, fromBob.status]).toEqual([201, 201]);
    expect(fromBob.headers.get("idempotent-replayed")).toBeNull();
    expect(fromBob.headers.get("location")).not.toBe(fromAlice.headers.get("location"));
    expect([await notesOf(alice.user.id), await notesOf(bob.user.id)]).toEqual([1, 1]);
  });

  it("runs one of two concurrent requests with one key: the other is 409 in-progress or a replay", async () => {
    const { request, user } = await signUp();
    const key = newKey();
    const send = () => request("/v1/notes", keyed(key, json({ title: "Race", content: "race" })));
    const answers = await Promise.all([send(), send(), send()]);
    const ran = answers.filter((answer) => answer.status === 201 && !answer.headers.has("idempotent-replayed"));
    expect(ran).toHaveLength(1);
    for (const answer of answers.filter((answer) => !ran.includes(answer))) {
      if (answer.status === 409) {
        const problem = await expectProblem(answer, 409);
        expect(problem.type).toBe("urn:cloud-notes:problem:idempotency-in-progress");
        expect(answer.headers.get("retry-after")).toBe("1");
      } else {
        expect(answer.status).toBe(201);
        expect(answer.headers.get("idempotent-replayed")).toBe("true");
      }
    }
    expect(await notesOf(user.id)).toBe(1);
  });

  it("answers 409 with Retry-After while the first request runs, and takes over a claim abandoned long ago", async () => {
    const { request, user } = await signUp();
    const key = newKey();
    const send = () => request("/v1/notes", keyed(key, json({ title: "Slow", content: "slow" })));
    expect((await send()).status).toBe(201);
    // As if the first request were still running.
    await testDatabase().execute(sql`update idempotent_requests set status = null where key = ${key}`);
    const running = await send();
    const problem = await expectProblem(running, 409);
    expect(problem).toMatchObject({
      type: "urn:cloud-notes:problem:idempotency-in-progress",
      detail: "A request with this Idempotency-Key is still running; retry after it finishes.",
    });
    expect(running.headers.get("retry-after")).toBe("1");
    // A claim that never finished (its Worker was cancelled) is not held for a day.
    await testDatabase().execute(
      sql`update idempotent_requests set created_at = now() - interval '11 minutes' where key = ${key}`,
    );
    const again = await send();
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(await notesOf(user.id)).toBe(2);
  });

  it("replays a 4xx answer too", async () => {
    const { request } = await signUp();
    const missing = crypto.randomUUID();
    const path = `/v1/notes/${missing}/attachments?filename=x.txt`;
    const { original } = await sendTwice(request, path, () => rawUpload("bytes"));
    expect(original.status).toBe(404);
    expect(original.contentType).toBe("application/problem+json");

    const invitations = `/v1/notebooks/${missing}/invitations`;
    const invite = () => json({ email: uniqueEmail(), role: "viewer" });
    const body = invite();
    const answer = await sendTwice(request, invitations, () => body);
    expect(answer.original.status).toBe(404);
  });

  it("is pruned by the sweep once expired, and the key then runs afresh", async () => {
    const { request, user } = await signUp();
    const key = newKey();
    const send = () => request("/v1/notes", keyed(key, json({ title: "Daily", content: "daily" })));
    const first = await send();
    expect(first.status).toBe(201);
    const live = newKey();
    expect((await request("/v1/notebooks", keyed(live, json({ name: "Kept" })))).status).toBe(201);
    await testDatabase().execute(
      sql`update idempotent_requests set expires_at = now() - interval '1 second' where key = ${key}`,
    );
    await runScheduledSweep();
    expect(await storedKeys(key)).toBe(0);
    expect(await storedKeys(live)).toBe(1);

    const afresh = await send();
    expect(afresh.status).toBe(201);
    expect(afresh.headers.get("idempotent-replayed")).toBeNull();
    expect(afresh.headers.get("location")).not.toBe(first.headers.get("location"));
    expect(await notesOf(user.id)).toBe(2);

    // An expired answer not yet swept is as good as gone too.
    await testDatabase().execute(
      sql`update idempotent_requests set expires_at = now() - interval '1 second' where key = ${key}`,
    );
    expect((await send()).headers.get("idempotent-replayed")).toBeNull();
    expect(await notesOf(user.id)).toBe(3);
  });

  it("is ignored by the OAuth token endpoint", async () => {
    const { email } = await signUp();
    const key = newKey();
    const signIn = () =>
      api("/v1/auth/token", keyed(key, form({ grant_type: "password", username: email, password: PASSWORD })));
    const [first, second] = [await signIn(), await signIn()];
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    const tokens = [await first.json<{ access_token: string }>(), await second.json<{ access_token: string }>()];
    expect(tokens[0]?.access_token).not.toBe(tokens[1]?.access_token);
    expect(await storedKeys(key)).toBe(0);
    // Not even read: a malformed one changes nothing.
    expect(
      (await api("/v1/auth/token", keyed(" ", form({ grant_type: "password", username: email, password: PASSWORD }))))
        .status,
    ).toBe(200);
  });

  it.each([
    ["an empty key", ""],
    ["a space", "two words"],
    ["a tab", "a\tb"],
    ["256 characters", "k".repeat(256)],
    ["a control character", "del\u007f"],
  ])("answers 422 for %s, naming header.idempotency-key, and runs nothing", async (_, key) => {
    const { request, user } = await signUp();
    const problem = await expectProblem(await request("/v1/notes", keyed(key, json({ title: "x", content: "" }))), 422);
    expect(problem.type).toBe("urn:cloud-notes:problem:validation");
    expect(problem.errors).toEqual([expect.objectContaining({ path: "header.idempotency-key" })]);
    expect(await notesOf(user.id)).toBe(0);
  });

  it("accepts 255 visible ASCII characters", async () => {
    const { request } = await signUp();
    const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join("");
    const key = `${visible}${visible}${visible}`.slice(0, 255);
    const first = await request("/v1/notebooks", keyed(key, json({ name: "Long key" })));
    const second = await request("/v1/notebooks", keyed(key, json({ name: "Long key" })));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays register per client network", async () => {
    const email = uniqueEmail();
    const key = newKey();
    const [here, elsewhere] = [uniqueIp(), uniqueIp()];
    const register = (ip: string) =>
      api(
        "/v1/auth/register",
        keyed(key, json({ email, password: PASSWORD }, { headers: { "CF-Connecting-IP": ip } })),
      );
    const first = await seen(await register(here));
    const retry = await register(here);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await seen(retry)).toEqual(first);
    expect(first.status).toBe(201);
    // Another network's key is its own: this one runs, and the email is taken by now.
    const other = await register(elsewhere);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    await expectProblem(other, 409);
    expect(await count(sql`select count(*) from users where email = ${email}`)).toBe(1);
  });

  it("replays nothing to a session that has ended", async () => {
    const { request, user } = await signUp();
    const key = newKey();
    expect((await request("/v1/notebooks", keyed(key, json({ name: "Mine" })))).status).toBe(201);
    const changed = await request(
      "/v1/users/me/password",
      json({ currentPassword: PASSWORD, newPassword: "a different horse battery" }),
    );
    expect(changed.status).toBe(200);
    // The same request, with the access token from before the change.
    const replay = await request("/v1/notebooks", keyed(key, json({ name: "Mine" })));
    await expectProblem(replay, 401);
    expect(await count(sql`select count(*) from notebooks where owner_id = ${user.id}`)).toBe(1);
  });

  it("costs two round trips with a key (claim, store), one for a replay, none without", async () => {
    const { request } = await signUp();
    const create = (init: RequestInit) => request("/v1/notebooks", init);
    const without = await roundTripsDuring(() => create(json({ name: "Plain" })));
    const key = newKey();
    const withKey = await roundTripsDuring(() => create(keyed(key, json({ name: "Keyed" }))));
    const replay = await roundTripsDuring(() => create(keyed(key, json({ name: "Keyed" }))));
    expect(withKey - without).toBe(2);
    expect(replay).toBe(1);
  });

  it("may be sent from a browser: CORS allows the header and exposes Idempotent-Replayed", async () => {
    const preflight = await api("/v1/notes", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
    const { request } = await signUp();
    const answer = await request(
      "/v1/notebooks",
      keyed(newKey(), json({ name: "Cors" }, { headers: { Origin: "https://app.example" } })),
    );
    expect(answer.headers.get("access-control-expose-headers")).toContain("Idempotent-Replayed");
  });

  it("is documented on every POST and PUT but the OAuth endpoints", async () => {
    const document = await (await api("/openapi.json")).json<{
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>>;
    }>();
    const documented: string[] = [];
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const header = operation.parameters?.find((p) => p.in === "header" && p.name === "idempotency-key");
        if (header) {
          expect(header.required ?? false, `${method} ${path}`).toBe(false);
          documented.push(`${method} ${path}`);
        }
      }
    }
    expect(documented).toEqual(
      expect.arrayContaining(["post /v1/notes", "put /v1/public/notes/{id}/vote", "post /v1/auth/register"]),
    );
    expect(documented).not.toContain("post /v1/auth/token");
    expect(documented).not.toContain("post /v1/auth/revoke");
    expect(documented).not.toContain("post /v1/notes/{id}/share-links");
    expect(documented).not.toContain("post /v1/users/me/password");
    expect(documented.every((operation) => /^(post|put) /.test(operation))).toBe(true);
  });
});

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createDatabase, inTransaction } from "../src/db/client";
import { isDatabaseUnavailable } from "../src/db/unavailable";
import { configFrom } from "../src/env";
import { type Account, authed, form, json, PASSWORD, signUp } from "./support/accounts";
import { api, testDatabase, testEnv } from "./support/api";
import { fastForwardOutbox, objectsOf, outboxKeys, runScheduledSweep } from "./support/attachments";
import { fileDatabaseUrl } from "./support/file-database";
import { type CapturedLogs, captureLogs } from "./support/logs";
import { createNote } from "./support/notes";
import { expectProblem } from "./support/problem";

// The file's database reached through test/node/fault-proxy.ts, which the tests switch between passing,
// refusing connections (PostgreSQL stopped) and stalling them (PostgreSQL paused with SIGSTOP).
const TIMEOUT_MS = 1_000;
// Generous: workerd, the local Neon endpoint and two cores shared with other test files.
const SLACK_MS = 3_000;

function wrongPassword() {
  const url = new URL(fileDatabaseUrl());
  url.password = "not-the-password";
  return url.toString();
}

function behindProxy() {
  const url = new URL(fileDatabaseUrl());
  url.port = env.TEST_FAULT_PROXY_PORT;
  return { DATABASE_URL: url.toString(), DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) };
}

async function database(mode: "pass" | "refuse" | "stall") {
  const response = await fetch(`http://${env.TEST_FAULT_PROXY_CONTROL}/mode/${mode}`, { method: "POST" });
  expect(response.status).toBe(204);
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** Waits until the upload in flight has reserved its object key: the reservation preceded the bytes. */
async function reserved(userId: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { rows } = await testDatabase().execute(
      sql`select 1 from r2_outbox where reason = 'upload' and object_key like ${`users/${userId}/%`}`,
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the upload never reserved its key");
}

/** One request of each kind: notes (HTTP), account, sign-in, an upload (HTTP, then a transaction), readiness. */
async function everyKindOfRequest(user: Account, noteId: string): Promise<[string, Response][]> {
  const faults = behindProxy();
  const send = (path: string, init: RequestInit = {}) => authed(user.tokens.access_token, path, init, faults);
  const body = new TextEncoder().encode("bytes");
  return Promise.all(
    [
      ["list notes", send("/v1/notes")],
      ["create a note", send("/v1/notes", json({ title: "t", content: "c" }))],
      ["read the account", send("/v1/users/me")],
      [
        "sign in",
        api("/v1/auth/token", form({ grant_type: "password", username: user.email, password: PASSWORD }), faults),
      ],
      [
        "upload",
        send(`/v1/notes/${noteId}/attachments`, {
          method: "POST",
          body,
          headers: { "Content-Type": "text/plain", "Content-Length": String(body.byteLength) },
        }),
      ],
      ["readiness", api("/health", {}, faults)],
    ].map(async ([name, response]) => [name as string, await (response as Promise<Response>)] as [string, Response]),
  );
}

async function expectUnavailable(named: [string, Response][]) {
  for (const [name, response] of named) {
    const problem = await expectProblem(response, 503).catch((error: Error) => {
      throw new Error(`${name}: ${error.message}`);
    });
    expect(problem.type, name).toBe("urn:cloud-notes:problem:dependency-unavailable");
    expect(response.headers.get("retry-after"), name).toBe("5");
    expect(response.headers.get("cache-control"), name).toBe("no-store");
  }
}

/** Each failed request logged once as unavailable rather than as a bug, besides its access line (a 5xx: error). */
function expectLoggedOnce(logs: CapturedLogs, requests: number) {
  const errors = logs.lines.filter((line) => line.level === "error");
  expect(errors.map((line) => line.message).sort()).toEqual([
    ...Array<string>(requests - 1).fill("database unavailable"),
    "health: database unreachable",
    ...Array<string>(requests).fill("request"),
  ]);
}

describe("with PostgreSQL stopped or paused", () => {
  const logs = captureLogs();
  afterEach(() => database("pass"));

  it("answers 503 with Retry-After at once when the server is stopped", async () => {
    const user = await signUp();
    const note = await createNote(user.request);
    await database("refuse");
    const { result, ms } = await timed(() => everyKindOfRequest(user, note.id));
    await expectUnavailable(result);
    // Refused, not timed out: every answer came before any deadline could fire.
    expect(ms).toBeLessThan(TIMEOUT_MS);
    expectLoggedOnce(logs, result.length);
  });

  it("answers 503 within DATABASE_TIMEOUT_MS when the server is paused, instead of hanging", async () => {
    const user = await signUp();
    const note = await createNote(user.request);
    await database("stall");
    const { result, ms } = await timed(() => everyKindOfRequest(user, note.id));
    await expectUnavailable(result);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
    expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    expectLoggedOnce(logs, result.length);
  });

  it("bounds an interactive transaction, connect to commit, both ways", async () => {
    for (const mode of ["refuse", "stall"] as const) {
      await database(mode);
      const ctx = createExecutionContext();
      const { result, ms } = await timed(() =>
        inTransaction(configFrom(testEnv(behindProxy())), ctx, (tx) => tx.execute(sql`select 1`)).then(
          () => "committed",
          (error: unknown) => error,
        ),
      );
      await waitOnExecutionContext(ctx);
      expect(isDatabaseUnavailable(result), `${mode}: ${result}`).toBe(true);
      if (mode === "refuse") expect(ms, mode).toBeLessThan(TIMEOUT_MS);
      else expect(ms, mode).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
      expect(ms, mode).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      await database("pass");
    }
  });

  it("treats a connection lost between two statements of a transaction as unavailable, not as a bug", async () => {
    const ctx = createExecutionContext();
    const result = await inTransaction(configFrom(testEnv(behindProxy())), ctx, async (tx) => {
      await tx.execute(sql`select 1`);
      await database("refuse"); // drops the open connection, as a server that stops does
      await new Promise((resolve) => setTimeout(resolve, 50));
      return tx.execute(sql`select 2`);
    }).then(
      () => "committed",
      (error: unknown) => error,
    );
    await waitOnExecutionContext(ctx);
    expect(isDatabaseUnavailable(result), String(result)).toBe(true);
  });

  it("cuts a statement a live server is slow to answer at the bound, over HTTP and in a transaction", async () => {
    const slow = { DATABASE_TIMEOUT_MS: String(TIMEOUT_MS) }; // straight to PostgreSQL, no proxy
    const config = configFrom(testEnv(slow));
    const ctx = createExecutionContext();
    const settled = (work: Promise<unknown>) =>
      timed(() =>
        work.then(
          () => "answered",
          (error: unknown) => error,
        ),
      );
    const [overHttp, inATransaction] = await Promise.all([
      settled(createDatabase(config).execute(sql`select pg_sleep(${(TIMEOUT_MS * 3) / 1000})`)),
      settled(inTransaction(config, ctx, (tx) => tx.execute(sql`select pg_sleep(${(TIMEOUT_MS * 3) / 1000})`))),
    ]);
    await waitOnExecutionContext(ctx);
    for (const { result, ms } of [overHttp, inATransaction]) {
      expect(isDatabaseUnavailable(result), String(result)).toBe(true);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
  });

  it("still tells a bug from an outage: a failing statement is not 'unavailable'", async () => {
    const config = configFrom(testEnv());
    const ctx = createExecutionContext();
    const failures = await Promise.all(
      [
        createDatabase(config).execute(sql`select * from no_such_table`),
        inTransaction(config, ctx, (tx) => tx.execute(sql`select 1/0`)),
        createDatabase(configFrom(testEnv({ DATABASE_URL: wrongPassword() }))).execute(sql`select 1`),
      ].map((work) =>
        work.then(
          () => "answered",
          (error: unknown) => error,
        ),
      ),
    );
    await waitOnExecutionContext(ctx);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(failure), String(failure)).toBe(false);
    }
  });

  it.each(["refuse", "stall"] as const)(
    "leaves nothing half-written when the database goes (%s) during an upload",
    async (mode) => {
      const user = await signUp();
      const note = await createNote(user.request);
      const bytes = new TextEncoder().encode("half a story");
      // The reservation goes through; the database stops or pauses while the bytes stream, before the confirmation.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await reserved(user.user.id);
          await database(mode);
          controller.enqueue(bytes);
          controller.close();
        },
      });
      const response = await authed(
        user.tokens.access_token,
        `/v1/notes/${note.id}/attachments`,
        { method: "POST", body, headers: { "Content-Type": "text/plain", "Content-Length": String(bytes.byteLength) } },
        behindProxy(),
      );
      await expectProblem(response, 503);
      await database("pass");
      expect(logs.errors("database unavailable")).toHaveLength(1);
      const errors = logs.lines.filter((line) => line.level === "error");
      expect(errors.map((line) => line.message).sort()).toEqual(["database unavailable", "request"]);

      const rows = await testDatabase().execute(sql`select 1 from attachments where note_id = ${note.id}`);
      expect(rows.rows).toHaveLength(0);
      // The bytes wait for the sweep, which deletes them only because no attachment row names them.
      expect(await objectsOf(user.user.id)).toHaveLength(1);
      await fastForwardOutbox();
      await runScheduledSweep();
      expect(await objectsOf(user.user.id)).toEqual([]);
      expect(await outboxKeys()).toEqual([]);
      const reread = await user.request(`/v1/notes/${note.id}`);
      expect((await reread.json<{ attachmentCount: number }>()).attachmentCount).toBe(0);
    },
  );
});

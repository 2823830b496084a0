import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { inTransaction } from "../src/db/client";
import { configFrom } from "../src/env";
import { testDatabase, testEnv } from "./support/api";

// Both ways the app reaches Postgres, against the real local server: HTTP for single statements and
// batches, a WebSocket pool for an interactive transaction.
describe("database access", () => {
  beforeAll(async () => {
    await testDatabase().execute(sql`create table counters (name text primary key, value int not null)`);
  });

  it("runs statements and a batch over HTTP, the batch as one transaction", async () => {
    const db = testDatabase();
    await db.execute(sql`insert into counters values ('http', 1)`);
    const failing = db.batch([
      db.execute(sql`update counters set value = 2 where name = 'http'`),
      db.execute(sql`insert into counters values ('http', 3)`), // duplicate key: the whole batch rolls back
    ]);
    await expect(failing).rejects.toThrow();
    const { rows } = await db.execute<{ value: number }>(sql`select value from counters where name = 'http'`);
    expect(rows).toEqual([{ value: 1 }]);
  });

  it("commits an interactive transaction over a WebSocket pool", async () => {
    const ctx = createExecutionContext();
    const value = await inTransaction(configFrom(testEnv()), ctx, async (tx) => {
      await tx.execute(sql`insert into counters values ('ws', 10)`);
      const { rows } = await tx.execute<{ value: number }>(
        sql`select value from counters where name = 'ws' for update`,
      );
      await tx.execute(sql`update counters set value = ${(rows[0]?.value ?? 0) + 1} where name = 'ws'`);
      return (rows[0]?.value ?? 0) + 1;
    });
    await waitOnExecutionContext(ctx);
    expect(value).toBe(11);
    const { rows } = await testDatabase().execute<{ value: number }>(sql`select value from counters where name = 'ws'`);
    expect(rows).toEqual([{ value: 11 }]);
  });

  it("rolls an interactive transaction back when its work throws", async () => {
    const ctx = createExecutionContext();
    const work = inTransaction(configFrom(testEnv()), ctx, async (tx) => {
      await tx.execute(sql`insert into counters values ('rolled-back', 1)`);
      throw new Error("changed my mind");
    });
    await expect(work).rejects.toThrow("changed my mind");
    await waitOnExecutionContext(ctx);
    const { rows } = await testDatabase().execute(sql`select 1 from counters where name = 'rolled-back'`);
    expect(rows).toHaveLength(0);
  });

  it("gives each test file a database of its own", async () => {
    const { rows } = await testDatabase().execute<{ name: string }>(sql`select current_database() as name`);
    expect(rows[0]?.name).toMatch(/^test_[0-9a-f]{32}$/);
  });
});

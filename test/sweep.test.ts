import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { version } from "../package.json";
import { signUp } from "./support/accounts";
import { testDatabase } from "./support/api";
import { runScheduledSweep } from "./support/attachments";
import { captureLogs } from "./support/logs";
import { createNotebook } from "./support/notebooks";

describe("the scheduled sweep", () => {
  const logs = captureLogs();
  const refusingBucket = {
    ...env.ATTACHMENTS,
    delete: async () => {
      throw new Error("R2 is down");
    },
  } as unknown as R2Bucket;

  it("backs off at most an hour however often R2 refused, and still prunes sessions", async () => {
    const db = testDatabase();
    const { user } = await signUp();
    await db.execute(sql`
      insert into r2_outbox (object_key, reason, not_before, attempts)
      values ('users/nobody/long-refused', 'delete', now() - interval '1 second', 40)`);
    await db.execute(sql`
      insert into refresh_tokens (user_id, family_id, token_version, token_hash, expires_at)
      values (${user.id}, gen_random_uuid(), 0, 'long-expired', now() - interval '8 days')`);

    await runScheduledSweep({ ATTACHMENTS: refusingBucket });

    const { rows } = await db.execute<{ attempts: number; waitMinutes: number }>(sql`
      select attempts, extract(epoch from not_before - now()) / 60 as "waitMinutes"
      from r2_outbox where object_key = 'users/nobody/long-refused'`);
    expect(rows[0]?.attempts).toBe(41);
    expect(Number(rows[0]?.waitMinutes)).toBeGreaterThan(59);
    expect(Number(rows[0]?.waitMinutes)).toBeLessThanOrEqual(60);
    const expired = await db.execute(sql`select 1 from refresh_tokens where token_hash = 'long-expired'`);
    expect(expired.rows).toHaveLength(0);
    const [failed, ...others] = logs.errors("sweep: R2 delete failed");
    expect(others).toHaveLength(0);
    // No request behind it, but the version that ran it.
    expect(failed).toMatchObject({ version, versionId: env.CF_VERSION_METADATA.id });
    expect(failed).not.toHaveProperty("requestId");
    expect(logs.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("prunes lapsed invitations and keeps pending ones", async () => {
    const db = testDatabase();
    const owner = await signUp();
    const notebook = await createNotebook(owner);
    await db.execute(sql`
      insert into notebook_invitations (notebook_id, email, role, expires_at) values
        (${notebook.id}, 'lapsed@example.com', 'viewer', now() - interval '1 second'),
        (${notebook.id}, 'pending@example.com', 'viewer', now() + interval '1 day')`);
    await runScheduledSweep();
    const { rows } = await db.execute(sql`select email from notebook_invitations where notebook_id = ${notebook.id}`);
    expect(rows).toEqual([{ email: "pending@example.com" }]);
  });

  it("prunes the change feed: past retention, and updates a later change supersedes after 30 days", async () => {
    const db = testDatabase();
    const { user } = await signUp();
    const [kept, superseded, latest, expired] = [1, 2, 3, 4].map(() => crypto.randomUUID());
    await db.execute(sql`
      insert into changes (user_id, kind, entity_id, action, at) values
        (${user.id}, 'note', ${kept}, 'updated', now() - interval '40 days'),
        (${user.id}, 'note', ${superseded}, 'updated', now() - interval '40 days'),
        (${user.id}, 'note', ${superseded}, 'trashed', now() - interval '35 days'),
        (${user.id}, 'note', ${latest}, 'created', now() - interval '89 days'),
        (${user.id}, 'note', ${expired}, 'created', now() - interval '92 days')`);
    await runScheduledSweep();
    const { rows } = await db.execute<{ entity: string; action: string }>(sql`
      select entity_id as entity, action from changes where user_id = ${user.id} order by seq`);
    expect(rows).toEqual([
      { entity: kept, action: "updated" },
      { entity: superseded, action: "trashed" },
      { entity: latest, action: "created" },
    ]);
  });
});

import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { attachments, r2Outbox } from "../schema";
import { textList } from "./sql-fragments";

/** Objects whose time has come: unconfirmed uploads past their grace period, and queued deletions. */
export async function dueObjectKeys(db: Database, limit: number): Promise<string[]> {
  const { rows } = await db.execute<{ objectKey: string }>(sql`
    select o.object_key as "objectKey" from ${r2Outbox} o
    where o.not_before <= now()
      and not exists (select 1 from ${attachments} a where a.object_key = o.object_key)
    order by o.not_before
    limit ${limit}`);
  return rows.map((row) => row.objectKey);
}

export function settleObjectKeys(db: Database, keys: string[]) {
  return db.execute(sql`
    delete from ${r2Outbox} where object_key in ${textList(keys)}`);
}

/** R2 refused: try these again later, backing off, and keep the reason for whoever looks. */
export function postponeObjectKeys(db: Database, keys: string[], reason: string) {
  return db.execute(sql`
    update ${r2Outbox}
    set attempts = attempts + 1, last_error = ${reason},
      not_before = now() + make_interval(mins => least(60, power(2, least(attempts, 6)))::int)
    where object_key in ${textList(keys)}`);
}

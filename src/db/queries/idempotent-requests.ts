import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { IDEMPOTENCY_TTL_HOURS, idempotentRequests } from "../schema";
import { asCaller, type Caller } from "./caller";

// A claim whose request never stored nor released it (the Worker was cancelled when its client went
// away, or the isolate died) would otherwise answer 409 for a day. After this long it is taken over.
// Longer than any request runs: the slowest is a 25 MiB upload over a slow link.
const ABANDONED_AFTER_MINUTES = 10;

/** Which request a key names: whose keys (a user id, or `anon:` and the client network) and the key. */
export interface IdempotencyKeyRef {
  scope: string;
  key: string;
}

/** The first answer to a key, as the middleware stored it. */
export interface StoredAnswer {
  status: number;
  /** JSON: [name, value] pairs. */
  headers: string;
  body: string;
}

export type Claim =
  | { kind: "unauthenticated" }
  /** The caller runs the request; `claimedAt` tells its row from one that took over after it. */
  | { kind: "claimed"; claimedAt: string }
  /** Another request holds the key and has not answered yet (or was claimed too recently to be seen). */
  | { kind: "running"; fingerprint: string | null }
  | { kind: "answered"; fingerprint: string; answer: StoredAnswer };

/**
 * Claims `ref` for a request with `fingerprint`, in one statement that also reads what holds the key
 * otherwise. An expired row, or a claim abandoned long ago, counts as absent and is replaced. A
 * signed-in `caller`'s session must still be live (as in every statement: `authed`), or nothing is claimed.
 */
export async function claimKey(
  db: Database,
  caller: Caller,
  ref: IdempotencyKeyRef,
  fingerprint: string,
): Promise<Claim> {
  const { scope, key } = ref;
  const { rows } = await db.execute<{
    authed: number;
    claimedAt: string | null;
    fingerprint: string | null;
    status: number | null;
    headers: string | null;
    body: string | null;
  }>(
    asCaller(caller, {
      with: sql`claim as (
        insert into ${idempotentRequests} as r (scope, key, fingerprint, expires_at)
        select ${scope}, ${key}, ${fingerprint}, now() + make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})
        where ${caller.kind === "anonymous" ? sql`true` : sql`exists (select 1 from me)`}
        on conflict (scope, key) do update
          set fingerprint = excluded.fingerprint, status = null, headers = null, body = null,
            created_at = now(), expires_at = excluded.expires_at
          where r.expires_at <= now()
            or (r.status is null and r.created_at < now() - make_interval(mins => ${ABANDONED_AFTER_MINUTES}))
        returning r.created_at::text as "claimedAt"
      )`,
      // The row as it was before this statement: the claim's own write is not visible to it.
      select: sql`(select "claimedAt" from claim) as "claimedAt",
        held.fingerprint, held.status, held.headers, held.body`,
      from: sql`left join ${idempotentRequests} held
        on held.scope = ${scope} and held.key = ${key} and held.expires_at > now()`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return { kind: "unauthenticated" };
  if (row.claimedAt !== null) return { kind: "claimed", claimedAt: row.claimedAt };
  if (row.status === null || row.fingerprint === null) return { kind: "running", fingerprint: row.fingerprint };
  return {
    kind: "answered",
    fingerprint: row.fingerprint,
    answer: { status: row.status, headers: row.headers ?? "[]", body: row.body ?? "" },
  };
}

const ours = (ref: IdempotencyKeyRef, claimedAt: string) => sql`
  scope = ${ref.scope} and key = ${ref.key} and created_at = ${claimedAt}::timestamptz and status is null`;

/** Keeps the final answer of the request that claimed `ref`, for its retries to replay. */
export function storeAnswer(db: Database, ref: IdempotencyKeyRef, claimedAt: string, answer: StoredAnswer) {
  return db.execute(sql`
    update ${idempotentRequests} set status = ${answer.status}, headers = ${answer.headers}, body = ${answer.body}
    where ${ours(ref, claimedAt)}`);
}

/** Gives the key back when the request had no final answer (5xx, or one that asks to retry). */
export function releaseKey(db: Database, ref: IdempotencyKeyRef, claimedAt: string) {
  return db.execute(sql`delete from ${idempotentRequests} where ${ours(ref, claimedAt)}`);
}

/** For the sweep: expired answers are replayed to nobody. */
export function pruneExpiredIdempotentRequests(db: Database) {
  return db.execute(sql`delete from ${idempotentRequests} where expires_at <= now()`);
}

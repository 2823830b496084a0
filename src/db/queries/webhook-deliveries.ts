import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import {
  changes,
  notebookMembers,
  WEBHOOK_LIMITS,
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
} from "../schema";
import { changeFields, feedHorizon } from "./changes";
import { isoTimestamp, jsonObject } from "./sql-fragments";

// From the change feed to deliveries, without a caller: the dispatcher reads each enabled endpoint's
// feed as its owner reads it now (their own scope and every notebook they belong to, from when they
// joined; a notebook's endpoint, that notebook while they own it) after the endpoint's position and
// below the horizon, as GET /v1/changes does, and turns the changes its events name into deliveries.
// A delivery is one event for one endpoint; it waits while an earlier delivery of the same subject (a
// note with its attachments, a notebook) is pending, so each subject's events arrive in feed order.

export const ENDPOINTS_PER_ROUND = 50;
const CHANGES_PER_ENDPOINT = 100;

/** A pending delivery `d` that is first of its subject: none earlier of the same endpoint and subject is pending. */
const firstOfSubject = (d: SQL) => sql`not exists (
  select 1 from ${webhookDeliveries} p
  where p.endpoint_id = ${d}.endpoint_id and p.subject = ${d}.subject and p.state = 'pending'
    and (p.change_tx, p.change_seq) < (${d}.change_tx, ${d}.change_seq)
)`;

/**
 * One round: up to ENDPOINTS_PER_ROUND endpoints, least lately dispatched first (locked, so two
 * dispatchers share the work), each advanced by up to CHANGES_PER_ENDPOINT changes. Answers how many
 * changes it read and the new deliveries to send now (the first pending of their subject).
 */
export async function dispatchRound(db: Database): Promise<{ endpoints: number; read: number; due: string[] }> {
  const following = sql`(c.tx, c.seq) > (d.after_tx, d.after_seq) and c.tx < (select tx from horizon)`;
  const page = (scope: SQL) => sql`(
    select c.tx, c.seq, c.kind || '.' || c.action as type, coalesce(c.note_id, c.entity_id) as subject, c.at,
      ${jsonObject(changeFields)} as data
    from ${changes} c where ${scope} and ${following} order by c.tx, c.seq limit ${CHANGES_PER_ENDPOINT}
  )`;
  const { rows } = await db.execute<{ endpoints: number; read: number; due: string | null }>(sql`
    with horizon as (select ${feedHorizon} as tx),
    locked as (
      select e.id, e.owner_id, e.notebook_id, e.events, e.after_tx, e.after_seq, e.dispatched_at
      from ${webhookEndpoints} e
      where e.enabled order by e.dispatched_at nulls first, e.id limit ${ENDPOINTS_PER_ROUND}
      for update skip locked
    ),
    -- A row another dispatcher advanced after this statement's snapshot was taken is locked in its new
    -- version, but the deliveries that one wrote are invisible here: such an endpoint waits for the
    -- next round, so no delivery is judged first of its subject without seeing the earlier ones.
    due as (
      select l.* from locked l join ${webhookEndpoints} seen on seen.id = l.id
      where seen.dispatched_at is not distinct from l.dispatched_at
    ),
    picked as (
      select d.id as endpoint_id, d.events, f.* from due d
      cross join lateral (
        select * from (
          ${page(sql`d.notebook_id is null and c.user_id = d.owner_id`)}
          union all
          select g.* from ${notebookMembers} m
          cross join lateral ${page(sql`c.notebook_id = m.notebook_id and c.tx >= m.joined_tx`)} g
          where m.user_id = d.owner_id and (d.notebook_id is null or (m.notebook_id = d.notebook_id and m.role = 'owner'))
        ) as merged
        order by tx, seq limit ${CHANGES_PER_ENDPOINT}
      ) as f
    ),
    last as (
      select distinct on (endpoint_id) endpoint_id, tx, seq from picked order by endpoint_id, tx desc, seq desc
    ),
    advanced as (
      update ${webhookEndpoints} e
      set after_tx = coalesce(l.tx, e.after_tx), after_seq = coalesce(l.seq, e.after_seq), dispatched_at = now()
      from due left join last l on l.endpoint_id = due.id
      where e.id = due.id
    ),
    inserted as (
      insert into ${webhookDeliveries} (endpoint_id, change_tx, change_seq, subject, type, payload)
      select endpoint_id, tx, seq, subject, type,
        json_build_object('type', type, 'timestamp', ${isoTimestamp(sql`at`)}, 'data', data)::text
      from picked where type = any(events)
      on conflict (endpoint_id, change_seq) do nothing
      returning id, endpoint_id, subject, change_tx, change_seq
    )
    select (select count(*) from locked)::int as endpoints, (select count(*) from picked)::int as read, i.id as due
    from (select 1) as one
    left join inserted i on ${firstOfSubject(sql`i`)} and not exists (
      select 1 from inserted j
      where j.endpoint_id = i.endpoint_id and j.subject = i.subject
        and (j.change_tx, j.change_seq) < (i.change_tx, i.change_seq)
    )`);
  return {
    endpoints: rows[0]?.endpoints ?? 0,
    read: rows[0]?.read ?? 0,
    due: rows.flatMap((row) => (row.due ? [row.due] : [])),
  };
}

/**
 * How long a message may be overdue before it counts as lost (a send that failed; a delivery inserted
 * while the one before it was being settled, which neither statement could see). A copy of a message
 * that was only slow does no harm: the claim lets one of them send.
 */
const LOST_AFTER_MINUTES = 2;

/** Pending deliveries first of their subject whose message is long overdue: due again now, and answered to send. */
export async function overdueDeliveries(db: Database, limit = 500): Promise<string[]> {
  const { rows } = await db.execute<{ id: string }>(sql`
    update ${webhookDeliveries} set due_at = now()
    where id in (
      select d.id from ${webhookDeliveries} d join ${webhookEndpoints} e on e.id = d.endpoint_id and e.enabled
      where d.state = 'pending' and d.due_at < now() - make_interval(mins => ${LOST_AFTER_MINUTES}) and ${firstOfSubject(sql`d`)}
      order by d.due_at limit ${limit}
      for update of d skip locked
    )
    returning id`);
  return rows.map((row) => row.id);
}

/** What sending one delivery takes: where, signed with which secrets, what. */
export type ClaimedDelivery = {
  endpointId: string;
  url: string;
  secrets: string[];
  type: string;
  payload: string;
  attempts: number;
};

/** The secrets that sign now: the current one, and the previous one until its overlap ends. */
export const signingSecrets = (e: SQL) =>
  sql<
    string[]
  >`array_remove(array[${e}.secret, case when ${e}.previous_secret_expires_at > now() then ${e}.previous_secret end], null)`;

/** How long a claimed delivery is the claimer's: the receiver's time limit, and room for the rest. */
const LEASE_SECONDS = 60;
/** A message may arrive this much before the time Postgres set for it (two clocks). */
const EARLY_SECONDS = 10;

/**
 * Claims the delivery when it is to be sent now: pending, due, its endpoint enabled, and first of its
 * subject. Claiming moves it LEASE_SECONDS ahead, so a copy of its message (a rescue, a redelivery)
 * finds it not due and leaves it. Otherwise nothing: it was delivered or given up, its endpoint is off
 * (turning it on sends it), it is not due yet (its own retry brings it), or an earlier one goes first
 * (which makes this one due when it is settled).
 */
export async function claimDelivery(db: Database, deliveryId: string): Promise<ClaimedDelivery | undefined> {
  const { rows } = await db.execute<ClaimedDelivery>(sql`
    update ${webhookDeliveries} d set due_at = now() + make_interval(secs => ${LEASE_SECONDS})
    from ${webhookEndpoints} e
    where d.id = ${deliveryId} and e.id = d.endpoint_id and d.state = 'pending' and e.enabled
      and d.due_at <= now() + make_interval(secs => ${EARLY_SECONDS}) and ${firstOfSubject(sql`d`)}
    returning d.endpoint_id as "endpointId", e.url, ${signingSecrets(sql`e`)} as secrets, d.type, d.payload, d.attempts`);
  return rows[0];
}

export interface Attempt {
  endpointId: string;
  /** Null for a ping. */
  deliveryId: string | null;
  webhookId: string;
  type: string;
  ok: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
  /** When it failed: seconds until the next try, or null when this was the last. */
  retryInSeconds: number | null;
}

/**
 * Writes one try to the log and settles the delivery by it: delivered, given up, or due again later.
 * When it failed and most of the endpoint's tries did for a day (disableAfter), turns the endpoint off
 * and says why. Answers the next delivery of the subject once this one is settled.
 */
export async function recordAttempt(
  db: Database,
  attempt: Attempt,
): Promise<{ next: string | null; disabled: boolean; settled: boolean }> {
  const { minAttempts, failureRatio, windowHours, sustainedHours } = WEBHOOK_LIMITS.disableAfter;
  const settles = attempt.ok || attempt.retryInSeconds === null;
  const outcome = attempt.error ?? `HTTP ${attempt.status}`;
  const { rows } = await db.execute<{ next: string | null; disabled: number; settled: number }>(sql`
    with logged as (
      insert into ${webhookAttempts} (endpoint_id, delivery_id, webhook_id, type, ok, status, duration_ms, error)
      values (${attempt.endpointId}, ${attempt.deliveryId}, ${attempt.webhookId}, ${attempt.type}, ${attempt.ok},
        ${attempt.status}, ${attempt.durationMs}, ${attempt.error})
    ),
    settled as (
      update ${webhookDeliveries} d set attempts = d.attempts + 1,
        state = ${attempt.ok ? "delivered" : settles ? "failed" : "pending"},
        due_at = now() + make_interval(secs => ${attempt.retryInSeconds ?? 0}),
        settled_at = ${settles ? sql`now()` : sql`null`}
      where d.id = ${attempt.deliveryId} and d.state = 'pending'
      returning d.id, d.endpoint_id, d.subject, d.state
    ),
    -- Settled: the subject's next delivery is due now (its message is sent below).
    next as (
      update ${webhookDeliveries} set due_at = now()
      where id = (
        select p.id from ${webhookDeliveries} p join settled s on s.state <> 'pending'
          and p.endpoint_id = s.endpoint_id and p.subject = s.subject and p.id <> s.id
        where p.state = 'pending' order by p.change_tx, p.change_seq limit 1
      )
      returning id
    ),
    recent as (
      select count(*) + 1 as tries, count(*) filter (where not ok) + ${attempt.ok ? 0 : 1} as failures
      from ${webhookAttempts}
      where endpoint_id = ${attempt.endpointId} and at > now() - make_interval(hours => ${windowHours})
    ),
    -- Judged on the endpoint as it was: one update below writes both what this try says and the verdict.
    verdict as (
      select e.id, (e.enabled and ${!attempt.ok} and r.tries >= ${minAttempts}
          and r.failures >= ${failureRatio}::float8 * r.tries
          and e.failing_since <= now() - make_interval(hours => ${sustainedHours})) as disable,
        format('Turned off at %s: %s of the last %s deliveries in %s hours failed, none succeeded since %s; the last: %s.',
          ${isoTimestamp(sql`now()`)}, r.failures, r.tries, ${windowHours}::int,
          ${isoTimestamp(sql`e.failing_since`)}, ${outcome}::text) as reason
      from ${webhookEndpoints} e, recent r
      where e.id = ${attempt.endpointId}
    ),
    disabled as (
      update ${webhookEndpoints} e
      set failing_since = ${attempt.ok ? sql`null` : sql`coalesce(e.failing_since, now())`},
        enabled = e.enabled and not v.disable,
        disabled_reason = case when v.disable then v.reason else e.disabled_reason end,
        version = e.version + case when v.disable then 1 else 0 end,
        updated_at = case when v.disable then now() else e.updated_at end
      from verdict v
      where e.id = v.id
      returning v.disable
    )
    select (select count(*) from disabled where disable)::int as disabled,
      (select count(*) from settled where state <> 'pending')::int as settled, (select id from next) as next`);
  const row = rows[0];
  return { next: row?.next ?? null, disabled: (row?.disabled ?? 0) > 0, settled: (row?.settled ?? 0) > 0 };
}

/**
 * For the sweep: the log beyond attemptsKept per endpoint (but never the last day's, which auto-disable
 * counts), and settled deliveries past deliveriesKeptDays.
 */
export async function pruneWebhookLog(db: Database): Promise<void> {
  await db.execute(sql`
    with ranked as (
      select id, at, row_number() over (partition by endpoint_id order by at desc, id desc) as place
      from ${webhookAttempts}
    ),
    pruned_attempts as (
      delete from ${webhookAttempts} where id in (
        select id from ranked where place > ${WEBHOOK_LIMITS.attemptsKept}
          and at < now() - make_interval(hours => ${WEBHOOK_LIMITS.disableAfter.windowHours})
      )
    )
    delete from ${webhookDeliveries}
    where state <> 'pending' and settled_at < now() - make_interval(days => ${WEBHOOK_LIMITS.deliveriesKeptDays})`);
}

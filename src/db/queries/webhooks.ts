import { type SQL, sql } from "drizzle-orm";
import type { Cursor } from "../../lib/cursor";
import type { Database } from "../client";
import { WEBHOOK_LIMITS, type WebhookEvent, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../schema";
import { destinationFor } from "./access";
import { asCaller, type SignedInCaller, withinReach } from "./caller";
import { feedHorizon } from "./changes";
import { selectPage } from "./keyset";
import { done, forbidden, missing, type Outcome, refused, stale, unauthenticated } from "./outcome";
import { permits } from "./permissions";
import {
  exactTime,
  ifVersionIn,
  isoTimestamp,
  type Nullable,
  type Selected,
  selectList,
  textArray,
} from "./sql-fragments";
import { signingSecrets } from "./webhook-deliveries";

// Webhook endpoints belong to the user who made them: every statement finds one by its id and its
// owner together, so another user's endpoint is as missing as one that never was. One for a notebook
// also needs its owner's role there (webhook.manage), when made and whenever it is dispatched.

export type WebhookLimit = "webhook-limit";

/** The API's endpoint from a row `n`: never its secrets. */
const endpointFields = {
  id: sql<string>`n.id`,
  url: sql<string>`n.url`,
  description: sql<string>`n.description`,
  events: sql<WebhookEvent[]>`n.events`,
  notebookId: sql<string | null>`n.notebook_id`,
  enabled: sql<boolean>`n.enabled`,
  disabledReason: sql<string | null>`n.disabled_reason`,
  previousSecretExpiresAt: sql<string | null>`case when n.previous_secret_expires_at > now()
    then ${isoTimestamp(sql`n.previous_secret_expires_at`)} end`,
  version: sql<number>`n.version`,
  createdAt: isoTimestamp(sql`n.created_at`),
  updatedAt: isoTimestamp(sql`n.updated_at`),
};
const endpointColumns = selectList(endpointFields);
export type WebhookEndpointRecord = Selected<typeof endpointFields>;

const strip = <T>({ authed: _, ...record }: { authed: number } & Nullable<T>) => record as T;

/** The caller's endpoint `id` as the single-row CTE `endpoint`; none when it is not theirs. */
const ownEndpoint = (id: string) =>
  sql`endpoint as (
    select * from ${webhookEndpoints}
    where id = ${id} and owner_id = (select id from me) and ${withinReach(sql`notebook_id`)}
  )`;

export interface NewEndpoint {
  url: string;
  description: string;
  events: WebhookEvent[];
  notebookId: string | null;
  secret: string;
}

/**
 * A new endpoint, reading the feed from now on. One for a notebook needs webhook.manage there (the
 * same 404 and 403 as the notebook's other owner-only routes); a user has at most endpointsPerUser.
 */
export async function createEndpoint(
  db: Database,
  caller: SignedInCaller,
  endpoint: NewEndpoint,
): Promise<Outcome<WebhookEndpointRecord, WebhookLimit>> {
  const allowed = permits("webhook.manage", { role: sql`destination.role` });
  const { rows } = await db.execute<
    {
      authed: number;
      destinationFound: number;
      allowed: boolean | null;
      room: boolean;
    } & Nullable<WebhookEndpointRecord>
  >(
    asCaller(caller, {
      with: sql`${destinationFor(endpoint.notebookId, sql`(select id from me)`)},
        room as (
          select count(*) < ${WEBHOOK_LIMITS.endpointsPerUser} as room from ${webhookEndpoints}
          where owner_id = (select id from me)
        ),
        inserted as (
          insert into ${webhookEndpoints} (owner_id, notebook_id, url, description, events, secret, after_tx, after_seq)
          select (select id from me), ${endpoint.notebookId}::uuid, ${endpoint.url}, ${endpoint.description},
            ${textArray(endpoint.events)}, ${endpoint.secret}, ${feedHorizon} - 1, ${Number.MAX_SAFE_INTEGER}
          from destination where ${allowed} and (select room from room)
          returning *
        )`,
      select: sql`(select count(*) from destination)::int as "destinationFound",
        coalesce((select ${allowed} from destination), false) as allowed, (select room from room) as room, ${endpointColumns}`,
      from: sql`left join inserted n on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.destinationFound) return missing("notebook");
  if (!row.allowed) return forbidden;
  if (!row.room) return refused("webhook-limit");
  const { destinationFound: _, allowed: __, room: ___, ...created } = row;
  return done(strip<WebhookEndpointRecord>(created));
}

/** The caller's endpoints, newest first: at most endpointsPerUser, so one page. */
export async function listEndpoints(db: Database, caller: SignedInCaller): Promise<Outcome<WebhookEndpointRecord[]>> {
  const { rows } = await db.execute<{ authed: number } & Nullable<WebhookEndpointRecord>>(
    asCaller(caller, {
      select: sql`page.*`,
      from: sql`left join lateral (
        select ${endpointColumns} from ${webhookEndpoints} n
        where n.owner_id = (select id from me) and ${withinReach(sql`n.notebook_id`)}
        order by n.created_at desc, n.id desc
      ) as page on true`,
    }),
  );
  if (!rows[0]?.authed) return unauthenticated;
  return done(rows.filter((row) => row.id !== null).map((row) => strip<WebhookEndpointRecord>(row)));
}

export async function findEndpoint(
  db: Database,
  caller: SignedInCaller,
  id: string,
): Promise<Outcome<WebhookEndpointRecord>> {
  const { rows } = await db.execute<{ authed: number } & Nullable<WebhookEndpointRecord>>(
    asCaller(caller, { with: ownEndpoint(id), select: endpointColumns, from: sql`left join endpoint n on true` }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return row.id === null ? missing("webhook") : done(strip<WebhookEndpointRecord>(row));
}

export interface EndpointPatch {
  url?: string;
  description?: string;
  events?: WebhookEvent[];
  enabled?: boolean;
}

/**
 * Changes an endpoint, If-Match honoured. Turning it on again clears why it was off and makes its
 * waiting deliveries overdue, so the dispatcher's next run sends them; it goes on from where it
 * stopped in the feed, so nothing the feed still keeps is skipped.
 */
export async function updateEndpoint(
  db: Database,
  caller: SignedInCaller,
  id: string,
  patch: EndpointPatch,
  versions: number[] | undefined,
): Promise<Outcome<WebhookEndpointRecord>> {
  const changes: SQL[] = [sql`version = n.version + 1`, sql`updated_at = now()`];
  if (patch.url !== undefined) changes.push(sql`url = ${patch.url}`);
  if (patch.description !== undefined) changes.push(sql`description = ${patch.description}`);
  if (patch.events !== undefined) changes.push(sql`events = ${textArray(patch.events)}`);
  if (patch.enabled !== undefined) {
    changes.push(sql`enabled = ${patch.enabled}`);
    // Turned on: a fresh start for auto-disable, which judges failures from here.
    if (patch.enabled) changes.push(sql`disabled_reason = null, failing_since = null`);
  }
  const { rows } = await db.execute<
    { authed: number; found: number; currentVersion: number | null } & Nullable<WebhookEndpointRecord>
  >(
    asCaller(caller, {
      with: sql`${ownEndpoint(id)},
        updated as (
          update ${webhookEndpoints} n set ${sql.join(changes, sql`, `)}
          where n.id = (select id from endpoint) ${ifVersionIn(versions)}
          returning n.*
        ),
        resumed as (
          update ${webhookDeliveries} d set due_at = now() - interval '1 hour'
          where ${patch.enabled === true} and not (select enabled from endpoint)
            and d.endpoint_id = (select id from updated) and d.state = 'pending'
        )`,
      select: sql`(select count(*) from endpoint)::int as found, (select version from endpoint) as "currentVersion",
        ${endpointColumns}`,
      from: sql`left join updated n on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.found) return missing("webhook");
  const { found: _, currentVersion, ...updated } = row;
  return updated.id === null ? stale(currentVersion) : done(strip<WebhookEndpointRecord>(updated));
}

export async function deleteEndpoint(
  db: Database,
  caller: SignedInCaller,
  id: string,
  versions: number[] | undefined,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<{ authed: number; found: number; deleted: number; currentVersion: number | null }>(
    asCaller(caller, {
      with: sql`${ownEndpoint(id)},
        deleted as (
          delete from ${webhookEndpoints} n where n.id = (select id from endpoint) ${ifVersionIn(versions)} returning n.id
        )`,
      select: sql`(select count(*) from endpoint)::int as found, (select count(*) from deleted)::int as deleted,
        (select version from endpoint) as "currentVersion"`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.found) return missing("webhook");
  return row.deleted ? done(undefined) : stale(row.currentVersion);
}

/**
 * A new secret for the endpoint; the one it had keeps signing beside it for previousSecretHours, so the
 * receiver can switch at any moment of that overlap. Answers when the old one stops.
 */
export async function rotateSecret(
  db: Database,
  caller: SignedInCaller,
  id: string,
  secret: string,
): Promise<Outcome<{ previousSecretExpiresAt: string }>> {
  const { rows } = await db.execute<{ authed: number; previousSecretExpiresAt: string | null }>(
    asCaller(caller, {
      with: sql`${ownEndpoint(id)},
        rotated as (
          update ${webhookEndpoints} n set secret = ${secret}, previous_secret = n.secret,
            previous_secret_expires_at = now() + make_interval(hours => ${WEBHOOK_LIMITS.previousSecretHours}),
            version = n.version + 1, updated_at = now()
          where n.id = (select id from endpoint)
          returning n.previous_secret_expires_at
        )`,
      select: sql`(select ${isoTimestamp(sql`previous_secret_expires_at`)} from rotated) as "previousSecretExpiresAt"`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return row.previousSecretExpiresAt === null
    ? missing("webhook")
    : done({ previousSecretExpiresAt: row.previousSecretExpiresAt });
}

/** An entry of the delivery log, from a row `a`. */
const attemptFields = {
  id: sql<string>`a.id`,
  deliveryId: sql<string | null>`a.delivery_id`,
  webhookId: sql<string>`a.webhook_id`,
  type: sql<string>`a.type`,
  at: isoTimestamp(sql`a.at`),
  ok: sql<boolean>`a.ok`,
  status: sql<number | null>`a.status`,
  durationMs: sql<number>`a.duration_ms`,
  error: sql<string | null>`a.error`,
};
export type WebhookAttemptRecord = Selected<typeof attemptFields>;

/** The endpoint's delivery log, newest first, a keyset page of it. */
export async function listAttempts(
  db: Database,
  caller: SignedInCaller,
  id: string,
  limit: number,
  after: Cursor | undefined,
): Promise<Outcome<(WebhookAttemptRecord & { cursorTime: string })[]>> {
  const page = await selectPage<WebhookAttemptRecord & { cursorTime: string }, { found: SQL<number> }>(db, caller, {
    with: ownEndpoint(id),
    head: { found: sql<number>`(select count(*) from endpoint)::int` },
    columns: sql`${selectList(attemptFields)}, ${exactTime(sql`a.at`)} as "cursorTime"`,
    from: sql`${webhookAttempts} a`,
    where: [sql`a.endpoint_id = (select id from endpoint)`],
    order: [sql`a.at`, sql`a.id`],
    after: after && [sql`${after.time}::timestamptz`, sql`${after.id}::uuid`],
    limit,
  });
  if (page.kind !== "done") return page;
  return page.value.head.found ? done(page.value.items) : missing("webhook");
}

/**
 * Sends the delivery again from its first try, whatever became of it; answers the deliveries now due
 * (it, unless an earlier one of its subject is still pending: then it follows that one).
 */
export async function redeliver(
  db: Database,
  caller: SignedInCaller,
  endpointId: string,
  deliveryId: string,
): Promise<Outcome<void>> {
  const { rows } = await db.execute<{ authed: number; found: number; endpointFound: number; due: string | null }>(
    asCaller(caller, {
      with: sql`${ownEndpoint(endpointId)},
        reset as (
          update ${webhookDeliveries} d set state = 'pending', attempts = 0, due_at = now(), settled_at = null
          where d.id = ${deliveryId} and d.endpoint_id = (select id from endpoint)
          returning d.id, d.endpoint_id, d.subject, d.change_tx, d.change_seq
        )`,
      select: sql`(select count(*) from endpoint)::int as "endpointFound", (select count(*) from reset)::int as found,
        (select r.id from reset r where not exists (
          select 1 from ${webhookDeliveries} p
          where p.endpoint_id = r.endpoint_id and p.subject = r.subject and p.state = 'pending'
            and (p.change_tx, p.change_seq) < (r.change_tx, r.change_seq)
        )) as due`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  if (!row.endpointFound) return missing("webhook");
  if (!row.found) return missing("delivery");
  return done(undefined, { webhookDeliveries: row.due ? [row.due] : [] });
}

/** The caller's endpoint's address and the secrets that sign for it now, for a ping. */
export async function pingTarget(
  db: Database,
  caller: SignedInCaller,
  id: string,
): Promise<Outcome<{ url: string; secrets: string[] }>> {
  const { rows } = await db.execute<{ authed: number; url: string | null; secrets: string[] | null }>(
    asCaller(caller, {
      with: ownEndpoint(id),
      select: sql`e.url, ${signingSecrets(sql`e`)} as secrets`,
      from: sql`left join endpoint e on true`,
    }),
  );
  const row = rows[0];
  if (!row?.authed) return unauthenticated;
  return row.url === null || row.secrets === null ? missing("webhook") : done({ url: row.url, secrets: row.secrets });
}

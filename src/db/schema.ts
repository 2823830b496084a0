// Drizzle tables: the one source of column types. `npm run db:generate` turns changes into migrations/.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

// Enums and limits: the one definition, used by the tables here and by the route schemas (zod).
export const VISIBILITIES = ["private", "public"] as const;
/** How a note listing may be ordered: newest change first, or newest creation first. */
export const NOTE_SORTS = ["updated", "created"] as const;
/** Which readable notes a listing shows: those the caller owns (loose, or in their notebooks), those shared with them, or both. */
export const NOTE_SCOPES = ["all", "own", "shared"] as const;
export const NOTE_LIMITS = { titleLength: 200, contentLength: 100_000, tagLength: 40, tags: 20 } as const;
export const MAX_ATTACHMENTS_PER_NOTE = 20;
/**
 * What one import may hold besides MAX_IMPORT_BYTES (src/env.ts): the zip's entries, the notes among
 * them, its central directory and manifest (read whole), a Markdown file (a note's content in UTF-8, up
 * to 4 bytes a character, and its front matter), and how many files the report names as skipped.
 */
export const IMPORT_LIMITS = {
  entries: 25_000,
  notes: 10_000,
  directoryBytes: 8 * 1024 * 1024,
  manifestBytes: 16 * 1024 * 1024,
  noteFileBytes: NOTE_LIMITS.contentLength * 4 + 64 * 1024,
  reportedSkips: 100,
} as const;
export const OUTBOX_REASONS = ["upload", "delete"] as const;

/** A caller's role on a notebook and its notes, weakest first; a loose note has only its owner. */
export const ROLES = ["viewer", "editor", "owner"] as const;
/** What an owner may grant: ownership stays with the notebook's creator. */
export const GRANTABLE_ROLES = ["viewer", "editor"] as const;
export const NOTEBOOK_LIMITS = {
  nameLength: 100,
  descriptionLength: 1000,
  members: 100,
  pendingInvitations: 50,
} as const;
export const SHARE_LINK_LIMITS = {
  /** Links neither revoked nor expired, per note. */
  activePerNote: 20,
  /** How far ahead `expiresAt` may be. */
  lifetimeDays: 365,
} as const;

/** Revisions kept per note (the sweep prunes older ones), and the window in which one person's edits merge. */
export const NOTE_REVISIONS = { kept: 100, mergeWithinSeconds: 60 } as const;
/** Days a trashed note waits before the sweep purges it (and its bytes leave R2). */
export const TRASH_RETENTION_DAYS = 30;
/** How long an Idempotency-Key's first answer is replayed. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** A vote: up or down; taking it back deletes it. */
export const VOTE_VALUES = [1, -1] as const;

/** An invitation not accepted within this many days lapses; the owner may invite again. */
export const INVITATION_TTL_DAYS = 14;

/** What the change feed reports on, and what happened to it (README "Sync"). */
export const CHANGE_KINDS = ["note", "notebook", "attachment"] as const;
/**
 * `added` and `removed`: it became readable, or stopped being readable, for the feed's readers (a move,
 * joining or leaving a notebook); `purged`: it is gone for good. Clients drop what is removed or purged.
 */
export const CHANGE_ACTIONS = ["created", "updated", "trashed", "restored", "purged", "added", "removed"] as const;
/**
 * How long the feed keeps changes: the latest change of each item for `days`, an update that a later
 * change of the same item supersedes for `supersededDays` (it tells a client nothing the later one
 * does not). A cursor older than `days` answers 410 resync-required.
 */
export const CHANGE_RETENTION = { days: 90, supersededDays: 30 } as const;

/** A webhook event's type: the change's kind and action, as Standard Webhooks' `type` ("note.updated"). */
export const WEBHOOK_EVENTS = [
  ...CHANGE_ACTIONS.map((action) => `note.${action}` as const),
  ...(["created", "updated", "added", "removed", "purged"] as const).map((action) => `notebook.${action}` as const),
  ...(["created", "updated", "purged"] as const).map((action) => `attachment.${action}` as const),
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_DELIVERY_STATES = ["pending", "delivered", "failed"] as const;
export const WEBHOOK_LIMITS = {
  endpointsPerUser: 10,
  urlLength: 2000,
  descriptionLength: 200,
  /** The delivery log: attempts kept per endpoint, newest first. */
  attemptsKept: 100,
  /** A receiver that has not answered after this long has failed this attempt. */
  timeoutMs: 10_000,
  /** Tries of one delivery, backing off from 30 s to 12 h between them: about 3 days in all. */
  attempts: 17,
  /** After a rotation, the old secret still signs (beside the new one) this long. */
  previousSecretHours: 24,
  /**
   * Auto-disable: at least `minAttempts` tries in the last `windowHours`, `failureRatio` of them failed,
   * and none succeeded for `sustainedHours`: a receiver that stays down, not an hour's outage (which the
   * retries ride out), nor one that still answers now and then.
   */
  disableAfter: { minAttempts: 10, failureRatio: 0.8, windowHours: 24, sustainedHours: 12 },
  /** Settled deliveries are forgotten after this many days. */
  deliveriesKeptDays: 30,
} as const;

/**
 * What a personal API token may do: each signed-in route names one (src/routes/contracts.ts), and a
 * token without it is refused (403 insufficient_scope). Password sign-ins may do everything.
 */
export const API_SCOPES = {
  "account:read": "Read your profile",
  "account:write": "Change your display name",
  "notes:read": "Read notes, their revisions, share links, the trash, the change feed, and the notebooks they are in",
  "notes:write": "Create, edit, move, publish, share, trash, restore and purge notes",
  "attachments:read": "List and download attachments",
  "attachments:write": "Upload, replace and delete attachments",
  "notebooks:admin": "Create, edit and delete notebooks; members and invitations",
  "public:vote": "Vote on published notes",
  "webhooks:admin": "Manage webhook endpoints",
} as const;
export type ApiScope = keyof typeof API_SCOPES;
export const API_SCOPE_NAMES = Object.keys(API_SCOPES) as [ApiScope, ...ApiScope[]];
export const API_TOKEN_LIMITS = { perUser: 50, nameLength: 100, lifetimeDays: 365 } as const;
/** What a token limited to one notebook may hold: what can be done inside one notebook (and reading its own account). */
export const NOTEBOOK_TOKEN_SCOPES: readonly ApiScope[] = [
  "account:read",
  "notes:read",
  "notes:write",
  "attachments:read",
  "attachments:write",
  "notebooks:admin",
  "webhooks:admin",
];

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
};

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    // Stored trimmed and lower-cased; the unique index on lower() guards against any path that forgets.
    email: text("email").notNull(),
    displayName: text("display_name"),
    passwordHash: text("password_hash").notNull(),
    // Bumped by a password change or sign-out-everywhere; access tokens carry it and stop matching.
    tokenVersion: integer("token_version").notNull().default(0),
    ...timestamps,
  },
  (table) => [uniqueIndex("users_email_unique").on(sql`lower(${table.email})`)],
);

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Every token minted by rotating one sign-in shares its family; reuse of a rotated token revokes them all.
    familyId: uuid("family_id").notNull(),
    // The account's token_version when the sign-in began: a password change bumps it, and a token whose
    // version no longer matches is dead, whichever statement won a race with the change.
    tokenVersion: integer("token_version").notNull(),
    // SHA-256 of the token: the token itself is never stored.
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    rotatedAt: timestamp("rotated_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("refresh_tokens_user_idx").on(table.userId), index("refresh_tokens_family_idx").on(table.familyId)],
);

/**
 * Wrong-password counters, one row per key: a sign-in email from one client network, a sign-in email from
 * everywhere, or a signed-in user confirming their password (src/db/queries/password-guesses.ts has the
 * keys and the policy). Kept for unknown emails too, so throttling reveals nothing.
 */
export const passwordGuesses = pgTable("password_guesses", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true, mode: "date" }),
  lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
  // On a sign-in key: the last correct password from that network, which makes it a known network.
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true, mode: "date" }),
});

/** A check that a text column holds one of an enum's values. */
const oneOf = (column: AnyPgColumn, values: readonly string[]) =>
  sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(", "))})`;

export const notebooks = pgTable(
  "notebooks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (table) => [index("notebooks_owner_idx").on(table.ownerId)],
);

/**
 * Who belongs to a notebook and as what. The owner has a row too (role "owner", exactly one), so a
 * caller's role on any notebook or note in it is one primary-key lookup.
 */
export const notebookMembers = pgTable(
  "notebook_members",
  {
    notebookId: uuid("notebook_id")
      .notNull()
      .references(() => notebooks.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    addedAt: timestamp("added_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    /** The joining transaction: a member reads the notebook's changes from here on, never its history before. */
    joinedTx: bigint("joined_tx", { mode: "number" }).notNull().default(sql`(pg_current_xact_id()::text)::bigint`),
  },
  (table) => [
    primaryKey({ columns: [table.notebookId, table.userId] }),
    check("notebook_members_role_check", oneOf(table.role, ROLES)),
    uniqueIndex("notebook_members_one_owner").on(table.notebookId).where(sql`${table.role} = 'owner'`),
    // "Which notebooks am I in": listing notebooks and notes.
    index("notebook_members_user_idx").on(table.userId, table.notebookId),
  ],
);

/** An offer of membership to an email, whether or not an account has it yet; gone once answered. */
export const notebookInvitations = pgTable(
  "notebook_invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    notebookId: uuid("notebook_id")
      .notNull()
      .references(() => notebooks.id, { onDelete: "cascade" }),
    // Trimmed and lower-cased, like users.email.
    email: text("email").notNull(),
    role: text("role", { enum: GRANTABLE_ROLES }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    check("notebook_invitations_role_check", oneOf(table.role, GRANTABLE_ROLES)),
    uniqueIndex("notebook_invitations_email_unique").on(table.notebookId, table.email),
    index("notebook_invitations_email_idx").on(table.email),
  ],
);

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const notes = pgTable(
  "notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // Null for a loose note (its owner's alone); otherwise the notebook's roles decide who may do what.
    notebookId: uuid("notebook_id").references(() => notebooks.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    content: text("content").notNull().default(""),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    pinned: boolean("pinned").notNull().default(false),
    archived: boolean("archived").notNull().default(false),
    visibility: text("visibility", { enum: VISIBILITIES }).notNull().default("private"),
    // Incremented by every change; the ETag is made from it.
    version: integer("version").notNull().default(1),
    attachmentCount: integer("attachment_count").notNull().default(0),
    // Who wrote the current title, content and tags, and when (null: its owner, for notes from before
    // this was kept): what a revision records, and what decides whether one person's edits merge.
    editedBy: uuid("edited_by").references(() => users.id, { onDelete: "set null" }),
    contentUpdatedAt: timestamp("content_updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    // In the trash since then: gone from every read but the trash's own, purged after TRASH_RETENTION_DAYS.
    trashedAt: timestamp("trashed_at", { withTimezone: true, mode: "date" }),
    // The first publication; kept when unpublished, so the public feed's "new" order is stable.
    publishedAt: timestamp("published_at", { withTimezone: true, mode: "date" }),
    // Kept by the votes_count trigger (migrations), whatever removes a vote: exact, and one row to read.
    upvotes: integer("upvotes").notNull().default(0),
    downvotes: integer("downvotes").notNull().default(0),
    score: integer("score").notNull().generatedAlwaysAs(sql`upvotes - downvotes`),
    // English stemming ("running" finds "run"); the title weighs more than the content in ranking.
    search: tsvector("search")
      .notNull()
      .generatedAlwaysAs(
        sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', content), 'B')`,
      ),
    ...timestamps,
  },
  // Descending keys are NULLS FIRST, as PostgreSQL's `order by ... desc` is: drizzle's .desc() alone makes
  // DESC NULLS LAST, an order no listing asks for, so every page read and sorted all its rows instead of
  // walking the index. test/database-indexes.test.ts holds every index to it.
  (table) => [
    check("notes_visibility_check", oneOf(table.visibility, VISIBILITIES)),
    index("notes_owner_updated_idx").on(
      table.ownerId,
      table.updatedAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    index("notes_owner_created_idx").on(
      table.ownerId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
    index("notes_notebook_updated_idx")
      .on(table.notebookId, table.updatedAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`${table.notebookId} is not null`),
    index("notes_notebook_created_idx")
      .on(table.notebookId, table.createdAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`${table.notebookId} is not null`),
    index("notes_public_new_idx")
      .on(table.publishedAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`${table.visibility} = 'public'`),
    index("notes_public_top_idx")
      .on(table.score.desc().nullsFirst(), table.publishedAt.desc().nullsFirst(), table.id.desc().nullsFirst())
      .where(sql`${table.visibility} = 'public'`),
    index("notes_trashed_idx").on(table.trashedAt).where(sql`${table.trashedAt} is not null`),
    // For the set-null when an editor's account goes.
    index("notes_edited_by_idx").on(table.editedBy),
    index("notes_search_idx").using("gin", table.search),
    index("notes_tags_idx").using("gin", table.tags),
  ],
);

/**
 * Earlier versions of a note's title, content and tags, each written by the statement that replaced it.
 * `version` is the note's version it was; `editedBy` who made that version.
 */
export const noteRevisions = pgTable(
  "note_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    noteId: uuid("note_id")
      .notNull()
      .references(() => notes.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    title: text("title").notNull(),
    content: text("content").notNull(),
    tags: text("tags").array().notNull(),
    editedBy: uuid("edited_by").references(() => users.id, { onDelete: "set null" }),
    // When that version was made (the note's updated_at then), not when it was replaced.
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (table) => [
    uniqueIndex("note_revisions_note_version_unique").on(table.noteId, table.version),
    index("note_revisions_edited_by_idx").on(table.editedBy),
    index("note_revisions_note_created_idx").on(
      table.noteId,
      table.createdAt.desc().nullsFirst(),
      table.id.desc().nullsFirst(),
    ),
  ],
);

/**
 * The first answer to a request sent with an Idempotency-Key, replayed to retries of it. `scope` is the
 * caller (a user id, or the client network for anonymous requests); `fingerprint` what the request
 * was (method, path, query and body); no `status` while the first is still running.
 */
export const idempotentRequests = pgTable(
  "idempotent_requests",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: integer("status"),
    headers: text("headers"),
    body: text("body"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.scope, table.key] }),
    index("idempotent_requests_expiry_idx").on(table.expiresAt),
  ],
);

/** One vote per user per note (the primary key); the note's counters follow every change by trigger. */
export const votes = pgTable(
  "votes",
  {
    noteId: uuid("note_id")
      .notNull()
      .references(() => notes.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    value: smallint("value").notNull(),
    ...timestamps,
  },
  (table) => [
    primaryKey({ columns: [table.noteId, table.userId] }),
    check("votes_value_check", sql`${table.value} in (1, -1)`),
    index("votes_user_idx").on(table.userId),
  ],
);

/**
 * A secret link to one note, readable without an account. Only the token's SHA-256 is stored; the
 * token itself is shown once, when the link is made.
 */
export const shareLinks = pgTable(
  "share_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    noteId: uuid("note_id")
      .notNull()
      .references(() => notes.id, { onDelete: "cascade" }),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("share_links_note_idx").on(table.noteId, table.createdAt)],
);

export const attachments = pgTable(
  "attachments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    noteId: uuid("note_id")
      .notNull()
      .references(() => notes.id, { onDelete: "cascade" }),
    // Whose storage quota the bytes count against: the notebook's owner for a note in a notebook, else
    // the note's owner; kept here (and moved with the note) so the quota is one indexed sum.
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    filename: text("filename").notNull(),
    contentType: text("content_type").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    sha256: text("sha256").notNull(),
    // Made by the server, never from the filename; new bytes get a new key, so objects never change.
    objectKey: text("object_key").notNull().unique(),
    ...timestamps,
  },
  (table) => [
    index("attachments_note_idx").on(table.noteId, table.createdAt, table.id),
    index("attachments_owner_idx").on(table.ownerId),
  ],
);

/**
 * The change feed: one row per change of a note, notebook, attachment or membership, written by
 * triggers in the statement that made it (migrations/0010), so no code path can forget one. A row
 * belongs to one scope: a notebook (every member reads it, however many there are) or one user (their
 * loose notes, their memberships). `tx` is the writing transaction's id: readers take only rows of
 * transactions older than every one still running, in (tx, seq) order, so a row that commits late can
 * never land behind a cursor.
 */
export const changes = pgTable(
  "changes",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tx: bigint("tx", { mode: "number" }).notNull().default(sql`(pg_current_xact_id()::text)::bigint`),
    notebookId: uuid("notebook_id"),
    userId: uuid("user_id"),
    kind: text("kind", { enum: CHANGE_KINDS }).notNull(),
    entityId: uuid("entity_id").notNull(),
    /** An attachment's note. */
    noteId: uuid("note_id"),
    action: text("action", { enum: CHANGE_ACTIONS }).notNull(),
    version: integer("version"),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    index("changes_notebook_idx").on(table.notebookId, table.tx, table.seq),
    index("changes_user_idx").on(table.userId, table.tx, table.seq),
    index("changes_entity_idx").on(table.entityId, table.at),
    index("changes_at_idx").on(table.at),
    check("changes_one_scope_check", sql`(${table.notebookId} is null) <> (${table.userId} is null)`),
    check("changes_kind_check", oneOf(table.kind, CHANGE_KINDS)),
    check("changes_action_check", oneOf(table.action, CHANGE_ACTIONS)),
  ],
);

/**
 * R2 objects whose fate is not settled yet: "upload" rows are written before the bytes and removed
 * with the attachment row that confirms them; "delete" rows are written by a trigger whenever an
 * attachment row goes away or changes its object. The scheduled sweep deletes what is due.
 */
export const r2Outbox = pgTable(
  "r2_outbox",
  {
    objectKey: text("object_key").primaryKey(),
    reason: text("reason", { enum: OUTBOX_REASONS }).notNull(),
    notBefore: timestamp("not_before", { withTimezone: true, mode: "date" }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [index("r2_outbox_due_idx").on(table.notBefore)],
);

/**
 * Where a user (or a notebook's owner, for that notebook only) wants changes pushed: the change feed as
 * that user reads it, filtered to `events`, signed per Standard Webhooks (src/webhooks/). `afterTx`/
 * `afterSeq` is how far the dispatcher has read the feed for it, as a feed cursor is.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ownerId: uuid("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    notebookId: uuid("notebook_id").references(() => notebooks.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    events: text("events").array().notNull(),
    /** `whsec_` and base64: HMAC keys must be readable to sign, so they are kept as they are and never answered after creation. */
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, mode: "date" }),
    enabled: boolean("enabled").notNull().default(true),
    disabledReason: text("disabled_reason"),
    /** Since when no try has succeeded: the first failure after a success (or after being turned on). */
    failingSince: timestamp("failing_since", { withTimezone: true, mode: "date" }),
    afterTx: bigint("after_tx", { mode: "number" }).notNull(),
    afterSeq: bigint("after_seq", { mode: "number" }).notNull(),
    dispatchedAt: timestamp("dispatched_at", { withTimezone: true, mode: "date" }),
    version: integer("version").notNull().default(1),
    ...timestamps,
  },
  (table) => [
    index("webhook_endpoints_owner_idx").on(table.ownerId, table.createdAt),
    index("webhook_endpoints_dispatch_idx").on(table.dispatchedAt).where(sql`${table.enabled}`),
  ],
);

/**
 * One event for one endpoint, from its first try until it is delivered or given up. `subject` is what
 * its order is kept for (a note, for its own and its attachments' events; a notebook): a delivery waits
 * while an earlier one of the same subject is pending.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    changeTx: bigint("change_tx", { mode: "number" }).notNull(),
    changeSeq: bigint("change_seq", { mode: "number" }).notNull(),
    subject: uuid("subject").notNull(),
    type: text("type").notNull(),
    payload: text("payload").notNull(),
    state: text("state", { enum: WEBHOOK_DELIVERY_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When a queue message for it is due: one long overdue was lost, and the dispatcher sends another. */
    dueAt: timestamp("due_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    settledAt: timestamp("settled_at", { withTimezone: true, mode: "date" }),
  },
  (table) => [
    uniqueIndex("webhook_deliveries_change_unique").on(table.endpointId, table.changeSeq),
    index("webhook_deliveries_pending_idx")
      .on(table.endpointId, table.subject, table.changeTx, table.changeSeq)
      .where(sql`${table.state} = 'pending'`),
    index("webhook_deliveries_due_idx").on(table.dueAt).where(sql`${table.state} = 'pending'`),
    index("webhook_deliveries_settled_idx").on(table.settledAt),
    check("webhook_deliveries_state_check", oneOf(table.state, WEBHOOK_DELIVERY_STATES)),
  ],
);

/** The delivery log: each try to reach an endpoint (deliveries and pings), the last `attemptsKept` of each. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    endpointId: uuid("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    deliveryId: uuid("delivery_id").references(() => webhookDeliveries.id, { onDelete: "set null" }),
    webhookId: text("webhook_id").notNull(),
    type: text("type").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    ok: boolean("ok").notNull(),
    /** The receiver's HTTP status; null when none came (refused, timed out, unreachable). */
    status: smallint("status"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
  },
  (table) => [index("webhook_attempts_endpoint_idx").on(table.endpointId, table.at)],
);

/**
 * Personal API tokens: credentials for scripts and assistants with less than a password gives: some
 * scopes, an expiry, perhaps one notebook. Only the SHA-256 of a token is kept, and its last four
 * characters to recognise it by. Deleting the row revokes it: the next request with it is a 401.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scopes: text("scopes").array().notNull(),
    /** The one notebook it may reach; null: whatever its user can. */
    notebookId: uuid("notebook_id").references(() => notebooks.id, { onDelete: "cascade" }),
    tokenHash: text("token_hash").notNull(),
    lastFour: text("last_four").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Written at most once a minute per token, by the request that finds it older. */
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex("api_tokens_hash_unique").on(table.tokenHash),
    index("api_tokens_user_idx").on(table.userId, table.createdAt),
  ],
);

/**
 * What a statement found, in one vocabulary for every resource: the session has ended, no such
 * resource (or not the caller's, which must look the same), a role too weak for the write, a stale
 * If-Match, a refusal of the resource's own (a limit), or the result. src/routes/outcome.ts turns
 * each into its problem.
 */
export type Outcome<T, Reason extends string = never> =
  | { kind: "unauthenticated" }
  | { kind: "missing"; what?: string }
  | { kind: "forbidden" }
  | { kind: "stale"; currentVersion: number | null }
  | { kind: "refused"; reason: Reason }
  | { kind: "done"; value: T; effects?: WriteEffects };

/**
 * What a write changed beyond its rows, for the one step that follows every write (afterWrite in
 * src/routes/after-write.ts): cached public copies that no longer hold, and R2 objects whose rows are
 * gone. A statement says it from what it read under its locks, so no handler has to work it out.
 */
export interface WriteEffects {
  /** Notes whose cached public copies are stale. */
  staleNotes?: string[];
  /** Whether the public feed's cached pages are stale. */
  staleFeed?: boolean;
  /** R2 objects no row names any more (the outbox trigger queued them too, should deleting now fail). */
  unreferencedObjects?: string[];
  /** Webhook deliveries due now: a message for each goes on the queue. */
  webhookDeliveries?: string[];
}

/** A change to a note that was or is published: its copies and the feed's pages are stale; otherwise nothing is. */
export const publicNoteChanged = (noteId: string, wasOrIsPublic: boolean): WriteEffects =>
  wasOrIsPublic ? { staleNotes: [noteId], staleFeed: true } : {};

export const done = <T>(value: T, effects?: WriteEffects) => ({ kind: "done", value, effects }) as const;
export const unauthenticated = { kind: "unauthenticated" } as const;
export const forbidden = { kind: "forbidden" } as const;
export const missing = (what?: string) => ({ kind: "missing", what }) as const;
export const stale = (currentVersion: number | null) => ({ kind: "stale", currentVersion }) as const;
export const refused = <Reason extends string>(reason: Reason) => ({ kind: "refused", reason }) as const;

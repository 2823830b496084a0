import { expect } from "vitest";
import type { Change } from "../../src/routes/changes/change.schemas";
import type { Note } from "../../src/routes/notes/note.schemas";
import type { Requester } from "./accounts";
import { listAll } from "./notes";

export interface ChangesPage {
  items: Change[];
  cursor: string;
  hasMore: boolean;
}

/** What a sync client holds: the notes it knows, and where it stands in the feed. */
export interface Replica {
  cursor: string;
  notes: Map<string, Note>;
}

/** Every note the user can read, archived ones included: what a replica must end up holding. */
export async function everyNote(request: Requester): Promise<Note[]> {
  return [...(await listAll(request, "scope=all")), ...(await listAll(request, "scope=all&archived=true"))];
}

export async function changesPage(request: Requester, cursor?: string, limit = 100): Promise<ChangesPage> {
  const query = cursor === undefined ? `limit=${limit}` : `limit=${limit}&cursor=${encodeURIComponent(cursor)}`;
  const response = await request(`/v1/changes?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<ChangesPage>();
}

/** A client starting to sync, as the README says: the current position first, then everything. */
export async function startReplica(request: Requester): Promise<Replica> {
  const { cursor } = await changesPage(request);
  return { cursor, notes: new Map((await everyNote(request)).map((note) => [note.id, note])) };
}

/** Reads the feed to its end and applies each change the way the API documents; answers the changes. */
export async function syncReplica(request: Requester, replica: Replica, limit = 100): Promise<Change[]> {
  const seen: Change[] = [];
  let page: ChangesPage;
  do {
    page = await changesPage(request, replica.cursor, limit);
    for (const change of page.items) await apply(request, replica, change);
    seen.push(...page.items);
    replica.cursor = page.cursor;
  } while (page.hasMore);
  return seen;
}

async function apply(request: Requester, replica: Replica, change: Change): Promise<void> {
  const gone = change.action === "removed" || change.action === "purged";
  if (change.kind === "notebook") {
    if (gone)
      for (const note of replica.notes.values()) if (note.notebookId === change.id) replica.notes.delete(note.id);
    if (change.action === "added") {
      for (const note of await everyNote(request)) if (note.notebookId === change.id) replica.notes.set(note.id, note);
    }
    return;
  }
  const noteId = change.kind === "note" ? change.id : change.noteId;
  if (!noteId) return;
  if (change.kind === "note" && (gone || change.action === "trashed")) {
    replica.notes.delete(noteId);
    return;
  }
  const response = await request(`/v1/notes/${noteId}`);
  if (response.status === 200) replica.notes.set(noteId, await response.json<Note>());
  else if (response.status === 404) replica.notes.delete(noteId);
  else throw new Error(`GET /v1/notes/${noteId}: ${response.status}`);
}

/** A replica's notes and the server's, as comparable lists: every field a change can move. */
export const summary = (notes: Iterable<Note>) =>
  [...notes]
    .map(
      (note) =>
        `${note.id} v${note.version} ${note.notebookId ?? "loose"} ${note.role} ${note.ownerId} ${note.archived} ${note.attachmentCount}`,
    )
    .sort();

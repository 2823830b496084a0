import { expect } from "vitest";
import type { Invitation } from "../../src/routes/invitations/invitation.schemas";
import type { Notebook } from "../../src/routes/notebooks/notebook.schemas";
import type { Note } from "../../src/routes/notes/note.schemas";
import { type Account, json, type Requester, signUp } from "./accounts";
import { createNote } from "./notes";

export type { Notebook };

interface Someone {
  request: Requester;
}

export async function createNotebook(user: Someone, name = "A notebook"): Promise<Notebook> {
  const response = await user.request("/v1/notebooks", json({ name }));
  expect(response.status).toBe(201);
  return response.json<Notebook>();
}

export async function invite(owner: Someone, notebookId: string, email: string, role: "viewer" | "editor") {
  const response = await owner.request(`/v1/notebooks/${notebookId}/invitations`, json({ email, role }));
  expect(response.status).toBe(201);
  return response.json<Invitation>();
}

/** Makes `member` a member with `role` the way a user does: invited by the owner, then accepting. */
export async function addMember(
  owner: Someone,
  notebookId: string,
  member: Someone & { email: string },
  role: "viewer" | "editor",
): Promise<Notebook> {
  const invitation = await invite(owner, notebookId, member.email, role);
  const response = await member.request(`/v1/invitations/${invitation.id}/accept`, { method: "POST" });
  expect(response.status).toBe(200);
  return response.json<Notebook>();
}

/** One notebook's people: its owner, a viewer and an editor. */
export interface Team {
  owner: Account;
  viewer: Account;
  editor: Account;
  notebook: Notebook;
}

/** A team with a second editor, `author`, and a `note` they wrote in the notebook. */
export interface TeamWithAuthor extends Team {
  author: Account;
  note: Note;
}

/**
 * An owner ("Olive Owner") with a viewer ("Vic Viewer") and an editor ("Eda Editor") in one notebook ("Team"),
 * added in that order, so its members list reads owner, viewer, editor. With `{ author: true }` also a second
 * editor, `author`, who wrote `note` in the notebook: for the rules that say "or the author".
 */
export async function team(): Promise<Team>;
export async function team(options: { author: true }): Promise<TeamWithAuthor>;
export async function team({ author = false } = {}): Promise<Team | TeamWithAuthor> {
  const [owner, viewer, editor, writer] = await Promise.all([
    signUp("Olive Owner"),
    signUp("Vic Viewer"),
    signUp("Eda Editor"),
    author ? signUp("Abe Author") : undefined,
  ]);
  const notebook = await createNotebook(owner, "Team");
  await addMember(owner, notebook.id, viewer, "viewer");
  await addMember(owner, notebook.id, editor, "editor");
  if (!writer) return { owner, viewer, editor, notebook };
  await addMember(owner, notebook.id, writer, "editor");
  const note = await createNote(writer.request, { notebookId: notebook.id });
  return { owner, viewer, editor, notebook, author: writer, note };
}

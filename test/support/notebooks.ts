import { expect } from "vitest";
import type { Invitation } from "../../src/routes/invitations/invitation.schemas";
import type { Notebook } from "../../src/routes/notebooks/notebook.schemas";
import { json } from "./accounts";

export type { Notebook };

type Requester = (path: string, init?: RequestInit) => Promise<Response>;
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

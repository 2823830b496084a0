import { expect } from "vitest";
import type { Note } from "../../src/routes/notes/note.schemas";
import { json, type Requester } from "./accounts";

export async function createNote(request: Requester, fields: Record<string, unknown> = {}): Promise<Note> {
  const response = await request("/v1/notes", json({ title: "A note", content: "Some words", ...fields }));
  expect(response.status).toBe(201);
  return response.json<Note>();
}

export async function listAll(request: Requester, query = ""): Promise<Note[]> {
  const notes: Note[] = [];
  let cursor: string | null = null;
  do {
    const separator = query ? "&" : "";
    const url: string = `/v1/notes?${query}${separator}limit=100${cursor ? `&cursor=${cursor}` : ""}`;
    const page = await (await request(url)).json<{ items: Note[]; nextCursor: string | null }>();
    notes.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return notes;
}

export const patchJson = (body: unknown, headers: Record<string, string> = {}) =>
  json(body, { method: "PATCH", headers });

import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { Permission, Role } from "../src/db/queries/permissions";
import { type Account, json, signUp, uniqueEmail } from "./support/accounts";
import { testDatabase } from "./support/api";
import { rawUpload, upload } from "./support/attachments";

// Every operation whose contract carries a role rule (`x-required-role` in the OpenAPI document, the
// permissions table's entry), for every kind of caller a notebook has: its owner, an editor, a viewer, a
// member the owner removed, an invitee who has not accepted, an outsider, and the two a rule may let in
// below its role: the note's author (an editor who wrote the note the request is about) and the member
// the request is about themself (a viewer). Members strong enough get the operation's success status
// (and their own `role` in the answer); weaker members 403; everyone else the 404 of a missing id. A
// denied request changes nothing in Postgres or R2. Routes added later with a role rule are in the
// matrix without being listed here; one that needs a body it does not have fails until it has one.

const PERSONAS = ["owner", "editor", "viewer", "removed", "invited", "outsider", "author", "self"] as const;
type Persona = (typeof PERSONAS)[number];
const RANK = { viewer: 0, editor: 1, owner: 2 } as const;
/** The role each member persona holds in the notebook. */
const ROLE_OF: Partial<Record<Persona, Role>> = {
  owner: "owner",
  editor: "editor",
  viewer: "viewer",
  author: "editor",
  self: "viewer",
};
/** Whom each `orSelf` clause names among the personas. */
const SELF_PERSONA = { author: "author", member: "self" } as const;

interface Operation {
  "x-required-role"?: Permission & { fields?: Record<string, Permission> };
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

const document = createApp().getOpenAPI31Document({ openapi: "3.1.0", info: { title: "", version: "" } });
const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  Object.entries(item as Record<string, Operation>).flatMap(([method, operation]) => {
    const rule = operation["x-required-role"];
    if (!rule) return [];
    const name = `${method.toUpperCase()} ${path}`;
    // A body field that is an action of its own (PATCH's `visibility`) is a row of its own: the
    // operation's rule and the field's must both allow.
    const fields = Object.entries(rule.fields ?? {}).map(([field, fieldRule]) => ({
      name: `${name} (${field})`,
      method,
      path,
      operation,
      rules: [rule, fieldRule],
    }));
    return [{ name, method, path, operation, rules: [rule] }, ...fields];
  }),
);
type RoleOperation = (typeof operations)[number];

/** A body each operation with one accepts from a member strong enough. */
const SAMPLE_BODIES: Record<string, (fixture: Fixture) => RequestInit> = {
  "POST /v1/notes": (fixture) => json({ title: "New", content: "", notebookId: fixture.notebookId }),
  "PATCH /v1/notes/{id}": () => json({ title: "Changed" }, { method: "PATCH" }),
  "PATCH /v1/notes/{id} (visibility)": () => json({ visibility: "public" }, { method: "PATCH" }),
  "PATCH /v1/notes/{id} (notebookId)": (fixture) => json({ notebookId: fixture.notebookId }, { method: "PATCH" }),
  "POST /v1/notes/{id}/attachments": () => rawUpload("new bytes"),
  "PUT /v1/notes/{id}/attachments/{attachmentId}": () => ({ ...rawUpload("other bytes"), method: "PUT" }),
  "PATCH /v1/notebooks/{id}": () => json({ name: "Renamed" }, { method: "PATCH" }),
  "PATCH /v1/notebooks/{id}/members/{userId}": () => json({ role: "editor" }, { method: "PATCH" }),
  "POST /v1/notebooks/{id}/invitations": () => json({ email: uniqueEmail(), role: "viewer" }),
  "POST /v1/notes/{id}/share-links": () => json({}),
  "POST /v1/webhooks": (fixture) => json({ url: "https://hooks.example.test/matrix", notebookId: fixture.notebookId }),
};

let people: Record<Persona | "bystander", Account>;
/** Accounts of their own: every persona but `self`, who is the bystander the membership routes name. */
const ACCOUNTS = ["owner", "editor", "viewer", "removed", "invited", "outsider", "author", "bystander"] as const;

interface Fixture {
  notebookId: string;
  noteId: string;
  attachmentId: string;
  invitationId: string;
  linkId: string;
  /** A note of the notebook in the trash, for the trash's routes. */
  trashedNoteId: string;
  /** A kept version of the note. */
  revision: number;
}

beforeAll(async () => {
  const accounts = await Promise.all(ACCOUNTS.map(() => signUp()));
  const byName = Object.fromEntries(ACCOUNTS.map((name, i) => [name, accounts[i]]));
  people = { ...byName, self: byName.bystander } as typeof people;
});

/**
 * A notebook as each persona meets it: members added, one removed by the owner, one invited; a note the
 * owner wrote in it (noteBy), so no persona but the owner is its author (the author persona gets a note
 * of their own: authorsFixture); a pending invitation and a member (the bystander) to act on.
 */
async function arrange(): Promise<Fixture> {
  const db = testDatabase();
  const { owner, editor, viewer, removed, invited, bystander, author } = people;
  const [notebook] = (
    await db.execute<{ id: string }>(sql`
      insert into notebooks (owner_id, name) values (${owner.user.id}, 'Team') returning id`)
  ).rows;
  const notebookId = notebook?.id ?? "";
  await db.execute(sql`
    insert into notebook_members (notebook_id, user_id, role) values
      (${notebookId}, ${owner.user.id}, 'owner'), (${notebookId}, ${editor.user.id}, 'editor'),
      (${notebookId}, ${viewer.user.id}, 'viewer'), (${notebookId}, ${removed.user.id}, 'editor'),
      (${notebookId}, ${bystander.user.id}, 'viewer'), (${notebookId}, ${author.user.id}, 'editor')`);
  const removal = await owner.request(`/v1/notebooks/${notebookId}/members/${removed.user.id}`, { method: "DELETE" });
  expect(removal.status).toBe(204);
  await owner.request(`/v1/notebooks/${notebookId}/invitations`, json({ email: invited.email, role: "editor" }));
  const invitation = await owner.request(
    `/v1/notebooks/${notebookId}/invitations`,
    json({ email: uniqueEmail(), role: "viewer" }),
  );
  expect(invitation.status).toBe(201);
  const note = await noteBy(owner, editor, notebookId);
  const trashed = await owner.request("/v1/notes", json({ title: "Old", content: "", notebookId }));
  const trashedNoteId = (await trashed.json<{ id: string }>()).id;
  expect((await owner.request(`/v1/notes/${trashedNoteId}`, { method: "DELETE" })).status).toBe(204);
  return {
    notebookId,
    ...note,
    invitationId: (await invitation.json<{ id: string }>()).id,
    trashedNoteId,
  };
}

/** A note `writer` wrote in the notebook, with an attachment, a share link, and a revision `reviser`'s edit kept. */
async function noteBy(writer: Account, reviser: Account, notebookId: string) {
  const note = await writer.request("/v1/notes", json({ title: "Shared", content: "words", notebookId }));
  expect(note.status).toBe(201);
  const noteId = (await note.json<{ id: string }>()).id;
  const attachment = await upload(writer.request, noteId, "shared bytes");
  // Someone else's edit keeps the writer's version as a revision.
  const edited = await reviser.request(`/v1/notes/${noteId}`, json({ title: "Edited" }, { method: "PATCH" }));
  expect(edited.status).toBe(200);
  const revisions = await writer.request(`/v1/notes/${noteId}/revisions`);
  const [revision] = (await revisions.json<{ items: { version: number }[] }>()).items;
  const link = await writer.request(`/v1/notes/${noteId}/share-links`, json({}));
  expect(link.status).toBe(201);
  return {
    noteId,
    attachmentId: attachment.id,
    linkId: (await link.json<{ id: string }>()).id,
    revision: revision?.version ?? 0,
  };
}

/** The fixture as the author persona meets it: the same notebook, and a note of their own to act on. */
async function fixtureFor(persona: Persona, fixture: Fixture): Promise<Fixture> {
  if (persona !== "author") return fixture;
  return { ...fixture, ...(await noteBy(people.author, people.owner, fixture.notebookId)) };
}

function requestFor(operation: RoleOperation, fixture: Fixture): { url: string; init: RequestInit } {
  const ids: Record<string, string> = {
    id: operation.path.startsWith("/v1/notebooks")
      ? fixture.notebookId
      : operation.path.startsWith("/v1/trash")
        ? fixture.trashedNoteId
        : fixture.noteId,
    attachmentId: fixture.attachmentId,
    userId: people.bystander.user.id,
    invitationId: fixture.invitationId,
    linkId: fixture.linkId,
    version: String(fixture.revision),
  };
  const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name];
    if (!value) throw new Error(`${operation.name}: no fixture value for {${name}}`);
    return value;
  });
  const body = SAMPLE_BODIES[operation.name];
  if (operation.operation.requestBody && !body) throw new Error(`${operation.name}: add a sample body`);
  const init = body ? body(fixture) : {};
  return { url, init: { ...init, method: operation.method.toUpperCase() } };
}

/** Everything a request about the fixture could change: its rows in Postgres and the people's objects in R2. */
async function state(fixture: Fixture) {
  const personIds = Object.values(people).map((account) => account.user.id);
  const { rows } = await testDatabase().execute(sql`select
    (select row_to_json(nb) from notebooks nb where id = ${fixture.notebookId}) as notebook,
    (select json_agg(m order by m.user_id) from notebook_members m where notebook_id = ${fixture.notebookId}) as members,
    (select json_agg(i order by i.id) from notebook_invitations i where notebook_id = ${fixture.notebookId}) as invitations,
    (select json_agg(n order by n.id) from notes n where notebook_id = ${fixture.notebookId}) as notes,
    (select json_agg(r order by r.id) from note_revisions r
      where note_id in (select id from notes where notebook_id = ${fixture.notebookId})) as revisions,
    (select json_agg(a order by a.id) from attachments a
      where note_id in (select id from notes where notebook_id = ${fixture.notebookId})) as attachments,
    (select json_agg(l order by l.id) from share_links l where note_id = ${fixture.noteId}) as links,
    (select count(*)::int from r2_outbox) as outbox`);
  const objects = await Promise.all(
    personIds.map(async (id) => (await env.ATTACHMENTS.list({ prefix: `users/${id}/` })).objects.map((o) => o.key)),
  );
  return { rows, objects: objects.flat().sort() };
}

/** What the owner hears for the same request naming a notebook or note that does not exist. */
async function missingIdProblem(operation: RoleOperation, fixture: Fixture) {
  // What the operation's own rule is about decides which id to make up: a note's, or a notebook's.
  const notebookFirst = operation.rules[0]?.on !== "note";
  const madeUp = notebookFirst
    ? { ...fixture, notebookId: crypto.randomUUID() }
    : { ...fixture, noteId: crypto.randomUUID(), trashedNoteId: crypto.randomUUID() };
  const { url, init } = requestFor(operation, madeUp);
  const { type, title, status, detail } = await (await people.owner.request(url, init)).json<Record<string, unknown>>();
  return { type, title, status, detail };
}

/** A failing assertion's message: the answer's JSON, never a download's bytes. */
const explain = async (response: Response) =>
  response.headers.get("content-type")?.includes("json")
    ? response.clone().text()
    : `(${response.headers.get("content-type")})`;

/** Whether `rule` lets `persona` in: by their role, or as the one its `orSelf` names. */
function lets(rule: Permission, persona: Persona, role: Role): boolean {
  const bySelf =
    rule.orSelf !== undefined && SELF_PERSONA[rule.orSelf.who] === persona && RANK[role] >= RANK[rule.orSelf.least];
  return RANK[role] >= RANK[rule.least] || bySelf;
}

function expectedStatus(persona: Persona, operation: RoleOperation): number {
  const role = ROLE_OF[persona];
  if (!role) return 404;
  const success = Math.min(
    ...Object.keys(operation.operation.responses)
      .map(Number)
      .filter((s) => s < 300),
  );
  return operation.rules.every((rule) => lets(rule, persona, role)) ? success : 403;
}

it("covers every route with a role rule (notes, attachments, notebooks, members, invitations)", () => {
  const paths = new Set(operations.map((operation) => operation.path));
  for (const path of [
    "/v1/notes/{id}",
    "/v1/notes/{id}/attachments/{attachmentId}",
    "/v1/notebooks/{id}",
    "/v1/notebooks/{id}/members/{userId}",
    "/v1/notebooks/{id}/invitations/{invitationId}",
  ]) {
    expect(paths).toContain(path);
  }
});

describe.each(operations)("$name", (operation) => {
  const denied = PERSONAS.filter((persona) => expectedStatus(persona, operation) >= 400);
  const allowed = PERSONAS.filter((persona) => expectedStatus(persona, operation) < 400);

  it.each(allowed)("a notebook's %s may call it", async (persona) => {
    const fixture = await fixtureFor(persona, await arrange());
    const { url, init } = requestFor(operation, fixture);
    const response = await people[persona].request(url, init);
    expect(response.status, await explain(response)).toBe(expectedStatus(persona, operation));
    if (response.headers.get("content-type") === "application/json") {
      const body = await response.json<{ role?: string }>();
      // Members and invitations carry the role they grant, not the caller's.
      if (body.role !== undefined && !/members|invitations/.test(operation.path))
        expect(body.role).toBe(ROLE_OF[persona]);
    }
  });

  it(`denies ${denied.join(", ")} and changes nothing`, async () => {
    const arranged = await arrange();
    for (const persona of denied) {
      const fixture = await fixtureFor(persona, arranged);
      const before = await state(fixture);
      const { url, init } = requestFor(operation, fixture);
      const response = await people[persona].request(url, init);
      const status = expectedStatus(persona, operation);
      expect(response.status, `${persona}: ${await explain(response)}`).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      const problem = await response.json<{ type: string; detail: string }>();
      if (status === 403) expect(problem.type).toBe("urn:cloud-notes:problem:forbidden");
      if (status === 404) expect(problem).toMatchObject(await missingIdProblem(operation, fixture));
      expect(await state(fixture), persona).toEqual(before);
    }
  });
});

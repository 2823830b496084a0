import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Invitation, ReceivedInvitation } from "../src/routes/invitations/invitation.schemas";
import { authed, json, type Requester, register, signIn, signUp, uniqueEmail } from "./support/accounts";
import { roundTripsDuring, testDatabase } from "./support/api";
import { requestBehindCommit } from "./support/locks";
import { addMember, createNotebook, invite, type Notebook } from "./support/notebooks";
import { expectProblem } from "./support/problem";

const MISSING_ID = "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11";

const post = { method: "POST" };

async function received(request: Requester, query = "") {
  const response = await request(`/v1/invitations${query}`);
  expect(response.status).toBe(200);
  return response.json<{ items: ReceivedInvitation[]; nextCursor: string | null }>();
}

async function pending(request: Requester, notebookId: string) {
  const response = await request(`/v1/notebooks/${notebookId}/invitations`);
  expect(response.status).toBe(200);
  return (await response.json<{ items: Invitation[] }>()).items;
}

async function expire(invitationId: string) {
  await testDatabase().execute(
    sql`update notebook_invitations set expires_at = now() - interval '1 second' where id = ${invitationId}`,
  );
}

describe("POST /v1/notebooks/{id}/invitations", () => {
  it("invites a normalised email for 14 days, with the same answer whether or not an account has it", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const path = `/v1/notebooks/${notebook.id}/invitations`;

    const registered = await owner.request(path, json({ email: `  ${invitee.email.toUpperCase()} `, role: "editor" }));
    const nobody = await owner.request(path, json({ email: uniqueEmail(), role: "editor" }));
    expect([registered.status, nobody.status]).toEqual([201, 201]);
    const [a, b] = [await registered.json<Invitation>(), await nobody.json<Invitation>()];
    expect(a).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      notebookId: notebook.id,
      email: invitee.email,
      role: "editor",
      createdAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(a.expiresAt) - Date.parse(a.createdAt)).toBe(14 * 24 * 3600 * 1000);
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect([...registered.headers.keys()].filter((name) => name !== "x-request-id")).toEqual(
      [...nobody.headers.keys()].filter((name) => name !== "x-request-id"),
    );
  });

  it("renews a pending invitation: the new role, a fresh expiry, still one invitation", async () => {
    const owner = await signUp();
    const notebook = await createNotebook(owner);
    const email = uniqueEmail();
    const first = await invite(owner, notebook.id, email, "viewer");
    await expire(first.id);
    const renewed = await invite(owner, notebook.id, email, "editor");
    expect(renewed).toMatchObject({ id: first.id, role: "editor" });
    expect(Date.parse(renewed.expiresAt)).toBeGreaterThan(Date.now() + 13 * 24 * 3600 * 1000);
    expect(await pending(owner.request, notebook.id)).toEqual([renewed]);
  });

  it("refuses a member's email, the owner's included (409 already-member)", async () => {
    const owner = await signUp();
    const member = await signUp();
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, member, "viewer");
    for (const email of [owner.email, member.email.toUpperCase()]) {
      const problem = await expectProblem(
        await owner.request(`/v1/notebooks/${notebook.id}/invitations`, json({ email, role: "editor" })),
        409,
      );
      expect(problem.type).toBe("urn:cloud-notes:problem:already-member");
    }
  });

  it("holds 50 pending invitations (expired ones do not count), then answers 409 invitation-limit", async () => {
    const owner = await signUp();
    const notebook = await createNotebook(owner);
    await testDatabase().execute(sql`
      insert into notebook_invitations (notebook_id, email, role, expires_at)
      select ${notebook.id}, 'filler-' || n || '@example.com', 'viewer', now() + interval '1 day'
      from generate_series(1, 50) n`);
    const path = `/v1/notebooks/${notebook.id}/invitations`;
    const problem = await expectProblem(await owner.request(path, json({ email: uniqueEmail(), role: "viewer" })), 409);
    expect(problem.type).toBe("urn:cloud-notes:problem:invitation-limit");
    // Renewing one of them adds none.
    expect((await owner.request(path, json({ email: "filler-1@example.com", role: "editor" }))).status).toBe(201);
    await testDatabase().execute(
      sql`update notebook_invitations set expires_at = now() - interval '1 second' where email = 'filler-2@example.com'`,
    );
    expect((await owner.request(path, json({ email: uniqueEmail(), role: "viewer" }))).status).toBe(201);
  });

  it("answers 409 member-limit when the notebook is full, when inviting and when accepting", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const invitation = await invite(owner, notebook.id, invitee.email, "viewer");
    const fill = (count: number) =>
      testDatabase().execute(sql`
        with added as (
          insert into users (email, password_hash)
          select 'full-' || gen_random_uuid() || '@example.com', 'x' from generate_series(1, ${count}::int)
          returning id
        )
        insert into notebook_members (notebook_id, user_id, role) select ${notebook.id}, id, 'viewer' from added`);
    await fill(99);
    const inviting = await expectProblem(
      await owner.request(`/v1/notebooks/${notebook.id}/invitations`, json({ email: uniqueEmail(), role: "viewer" })),
      409,
    );
    expect(inviting.type).toBe("urn:cloud-notes:problem:member-limit");
    const accepting = await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/accept`, post), 409);
    expect(accepting.type).toBe("urn:cloud-notes:problem:member-limit");
    expect((await received(invitee.request)).items).toHaveLength(1);
  });

  it("is the owner's alone: 403 to members, 404 to outsiders, 422 for the owner role", async () => {
    const owner = await signUp();
    const editor = await signUp();
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, editor, "editor");
    const path = `/v1/notebooks/${notebook.id}/invitations`;
    await expectProblem(await editor.request(path, json({ email: uniqueEmail(), role: "viewer" })), 403);
    await expectProblem(await editor.request(path), 403);
    await expectProblem(await (await signUp()).request(path, json({ email: uniqueEmail(), role: "viewer" })), 404);
    await expectProblem(await owner.request(path, json({ email: uniqueEmail(), role: "owner" })), 422);
    await expectProblem(await owner.request(path, json({ email: "not an email", role: "viewer" })), 422);
  });
});

describe("GET and DELETE /v1/notebooks/{id}/invitations", () => {
  it("lists pending invitations newest first and cancels them; expired ones are gone", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const first = await invite(owner, notebook.id, invitee.email, "viewer");
    const second = await invite(owner, notebook.id, uniqueEmail(), "editor");
    const lapsed = await invite(owner, notebook.id, uniqueEmail(), "editor");
    await expire(lapsed.id);
    expect(await pending(owner.request, notebook.id)).toEqual([second, first]);

    const cancel = (id: string) =>
      owner.request(`/v1/notebooks/${notebook.id}/invitations/${id}`, { method: "DELETE" });
    expect((await cancel(first.id)).status).toBe(204);
    await expectProblem(await cancel(first.id), 404);
    await expectProblem(await cancel(lapsed.id), 404);
    await expectProblem(await cancel(MISSING_ID), 404);
    expect(await pending(owner.request, notebook.id)).toEqual([second]);
    expect((await received(invitee.request)).items).toEqual([]);
    await expectProblem(await invitee.request(`/v1/invitations/${first.id}/accept`, post), 404);

    // Invited again after the cancellation: a new invitation.
    const again = await invite(owner, notebook.id, invitee.email, "viewer");
    expect(again.id).not.toBe(first.id);
    expect((await invitee.request(`/v1/invitations/${again.id}/accept`, post)).status).toBe(200);
  });

  it("answers the invitation at its Location while it is pending, and 404 once cancelled", async () => {
    const owner = await signUp();
    const notebook = await createNotebook(owner);
    const created = await owner.request(
      `/v1/notebooks/${notebook.id}/invitations`,
      json({ email: uniqueEmail(), role: "editor" }),
    );
    const invitation = await created.json<Invitation>();
    const location = created.headers.get("location") ?? "";
    expect(location).toBe(`/v1/notebooks/${notebook.id}/invitations/${invitation.id}`);
    expect(await (await owner.request(location)).json()).toEqual(invitation);
    await owner.request(location, { method: "DELETE" });
    const gone = await expectProblem(await owner.request(location), 404);
    expect(gone.detail).toBe("No pending invitation with this id.");
  });
});

describe("GET /v1/invitations", () => {
  it("lists the invitations addressed to the caller, with the notebook and who invited, in pages", async () => {
    const invitee = await signUp();
    const owners = [await signUp("Ada"), await signUp("Grace"), await signUp()];
    const invitations: Invitation[] = [];
    const notebooks: Notebook[] = [];
    for (const [index, owner] of owners.entries()) {
      notebooks.push(await createNotebook(owner, `Notebook ${index}`));
      invitations.push(await invite(owner, notebooks[index]?.id ?? "", invitee.email.toUpperCase(), "viewer"));
    }
    await invite(owners[0] ?? invitee, notebooks[0]?.id ?? "", uniqueEmail(), "editor"); // someone else's

    const first = await received(invitee.request, "?limit=2");
    expect(first.items).toEqual([
      {
        id: invitations[2]?.id,
        role: "viewer",
        notebook: { id: notebooks[2]?.id, name: "Notebook 2" },
        invitedBy: { displayName: null },
        createdAt: invitations[2]?.createdAt,
        expiresAt: invitations[2]?.expiresAt,
      },
      expect.objectContaining({ id: invitations[1]?.id, invitedBy: { displayName: "Grace" } }),
    ]);
    const second = await received(invitee.request, `?limit=2&cursor=${first.nextCursor}`);
    expect(second).toEqual({ items: [expect.objectContaining({ id: invitations[0]?.id })], nextCursor: null });

    await expire(invitations[0]?.id ?? "");
    expect((await received(invitee.request)).items.map((item) => item.id)).toEqual([
      invitations[2]?.id,
      invitations[1]?.id,
    ]);
  });
});

describe("accepting and declining", () => {
  it("accepting makes the caller a member with the invitation's role and uses the invitation up", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner, "Shared");
    const invitation = await invite(owner, notebook.id, invitee.email, "editor");

    const response = await invitee.request(`/v1/invitations/${invitation.id}/accept`, post);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...notebook, role: "editor", memberCount: 2 });
    expect(response.headers.get("etag")).toBe('"v1"');
    expect(await (await invitee.request(`/v1/notebooks/${notebook.id}`)).json()).toMatchObject({ role: "editor" });
    expect(await pending(owner.request, notebook.id)).toEqual([]);
    expect((await received(invitee.request)).items).toEqual([]);
    await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/accept`, post), 404);
  });

  it("accepting as a member already keeps the member's role and removes the invitation", async () => {
    const owner = await signUp();
    const member = await signUp();
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, member, "editor");
    const { rows } = await testDatabase().execute<{ id: string }>(sql`
      insert into notebook_invitations (notebook_id, email, role, expires_at)
      values (${notebook.id}, ${member.email}, 'viewer', now() + interval '1 day') returning id`);
    const response = await member.request(`/v1/invitations/${rows[0]?.id}/accept`, post);
    expect(await response.json()).toMatchObject({ role: "editor", memberCount: 2 });
    expect(await pending(owner.request, notebook.id)).toEqual([]);
  });

  it("declining removes the invitation; the owner may invite again", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const invitation = await invite(owner, notebook.id, invitee.email, "viewer");
    expect((await invitee.request(`/v1/invitations/${invitation.id}/decline`, post)).status).toBe(204);
    await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/decline`, post), 404);
    await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/accept`, post), 404);
    expect(await pending(owner.request, notebook.id)).toEqual([]);
    await expectProblem(await invitee.request(`/v1/notebooks/${notebook.id}`), 404);

    const again = await invite(owner, notebook.id, invitee.email, "editor");
    expect((await received(invitee.request)).items.map((item) => item.id)).toEqual([again.id]);
  });

  it("an expired invitation can be neither accepted nor declined, and is listed nowhere", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const invitation = await invite(owner, notebook.id, invitee.email, "viewer");
    await expire(invitation.id);
    await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/accept`, post), 404);
    await expectProblem(await invitee.request(`/v1/invitations/${invitation.id}/decline`, post), 404);
    expect((await received(invitee.request)).items).toEqual([]);
    expect(await pending(owner.request, notebook.id)).toEqual([]);
    await expectProblem(await invitee.request(`/v1/notebooks/${notebook.id}`), 404);
  });

  it("someone else's invitation answers the same 404 as an unknown one, and stays", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const intruder = await signUp();
    const notebook = await createNotebook(owner);
    const invitation = await invite(owner, notebook.id, invitee.email, "editor");
    for (const action of ["accept", "decline"]) {
      const theirs = await expectProblem(
        await intruder.request(`/v1/invitations/${invitation.id}/${action}`, post),
        404,
      );
      const unknown = await expectProblem(await intruder.request(`/v1/invitations/${MISSING_ID}/${action}`, post), 404);
      expect(theirs.detail).toBe(unknown.detail);
      // Not even the notebook's owner can answer it for them.
      await expectProblem(await owner.request(`/v1/invitations/${invitation.id}/${action}`, post), 404);
    }
    await expectProblem(await intruder.request(`/v1/notebooks/${notebook.id}`), 404);
    expect((await received(invitee.request)).items.map((item) => item.id)).toEqual([invitation.id]);
  });

  it.each([
    [
      "cancelled by the owner",
      (ids: { invitation: string }) => sql`delete from notebook_invitations where id = ${ids.invitation}`,
    ],
    ["deleted with its notebook", (ids: { notebook: string }) => sql`delete from notebooks where id = ${ids.notebook}`],
  ])("an accept that meets an invitation being %s answers 404 and adds no member", async (_, removal) => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const invitation = await invite(owner, notebook.id, invitee.email, "editor");
    const accepted = await requestBehindCommit(
      (tx) => tx.execute(removal({ invitation: invitation.id, notebook: notebook.id })),
      () => invitee.request(`/v1/invitations/${invitation.id}/accept`, post),
    );
    await expectProblem(accepted, 404);
    const { rows } = await testDatabase().execute(
      sql`select 1 from notebook_members where user_id = ${invitee.user.id}`,
    );
    expect(rows).toEqual([]);
  });

  it("an email invited before it has an account can accept once registered", async () => {
    const owner = await signUp("Olive");
    const notebook = await createNotebook(owner, "Early");
    const email = uniqueEmail();
    const invitation = await invite(owner, notebook.id, email, "viewer");
    const account = await register(email.toUpperCase());
    const tokens = await signIn(email);
    const request: Requester = (path, init) => authed(tokens.access_token, path, init);
    expect((await received(request)).items).toEqual([
      expect.objectContaining({ id: invitation.id, notebook: { id: notebook.id, name: "Early" } }),
    ]);
    const accepted = await request(`/v1/invitations/${invitation.id}/accept`, post);
    expect(await accepted.json()).toMatchObject({ id: notebook.id, role: "viewer" });
    const members = await (await owner.request(`/v1/notebooks/${notebook.id}/members`)).json<{ items: unknown[] }>();
    expect(members.items).toContainEqual(expect.objectContaining({ userId: account.user.id, role: "viewer" }));
  });
});

describe("round trips", () => {
  it("costs every invitation request one database round trip", async () => {
    const owner = await signUp();
    const invitee = await signUp();
    const notebook = await createNotebook(owner);
    const invitations = `/v1/notebooks/${notebook.id}/invitations`;
    const one = (request: Requester, path: string, init?: RequestInit) =>
      roundTripsDuring(async () => {
        const response = await request(path, init);
        expect(response.status, path).toBeLessThan(300);
        await response.arrayBuffer();
      });
    expect(await one(owner.request, invitations, json({ email: invitee.email, role: "viewer" }))).toBe(1);
    const declined = (await pending(owner.request, notebook.id))[0]?.id ?? "";
    expect(await one(invitee.request, `/v1/invitations/${declined}/decline`, post)).toBe(1);
    const cancelled = await invite(owner, notebook.id, uniqueEmail(), "viewer");
    expect(await one(owner.request, `${invitations}/${cancelled.id}`, { method: "DELETE" })).toBe(1);
    const accepted = await invite(owner, notebook.id, invitee.email, "editor");
    expect(await one(owner.request, invitations)).toBe(1);
    expect(await one(invitee.request, "/v1/invitations")).toBe(1);
    expect(await one(invitee.request, `/v1/invitations/${accepted.id}/accept`, post)).toBe(1);
  });
});

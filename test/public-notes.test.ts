import type { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { configFrom } from "../src/env";
import { signAccessToken } from "../src/lib/tokens";
import type { PublicNoteSchema } from "../src/routes/public/public-note.schemas";
import { type Account, authed, json, signUp } from "./support/accounts";
import { api, roundTripsDuring, testDatabase, testEnv } from "./support/api";
import { upload } from "./support/attachments";
import { addMember, createNotebook } from "./support/notebooks";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

type PublicNote = z.infer<typeof PublicNoteSchema>;

const publish = (user: Account, noteId: string, visibility = "public") =>
  user.request(`/v1/notes/${noteId}`, patchJson({ visibility }));
const vote = (user: { request: Account["request"] }, noteId: string, value: 1 | -1) =>
  user.request(`/v1/public/notes/${noteId}/vote`, json({ value }, { method: "PUT" }));

async function publishedNote(author: Account, fields: Record<string, unknown> = {}) {
  const note = await createNote(author.request, fields);
  expect((await publish(author, note.id)).status).toBe(200);
  return note;
}

/** Users made straight in the database with tokens signed like the API's: a thousand sign-ups would be hashing. */
async function manyVoters(count: number) {
  const { rows } = await testDatabase().execute<{ id: string }>(sql`
    insert into users (email, password_hash)
    select 'voter-' || gen_random_uuid() || '@example.com', 'not-a-hash' from generate_series(1, ${count})
    returning id`);
  const keys = configFrom(testEnv()).JWT_SECRETS;
  return Promise.all(
    rows.map(async ({ id }) => {
      const token = await signAccessToken({ userId: id, tokenVersion: 0 }, keys, 600);
      return { request: (path: string, init?: RequestInit) => authed(token, path, init) };
    }),
  );
}

describe("publishing", () => {
  it("publishes and unpublishes; publishedAt keeps the first publication", async () => {
    const author = await signUp("Ada");
    const note = await createNote(author.request);
    const first = await (await publish(author, note.id)).json<{ visibility: string; publishedAt: string }>();
    expect(first.visibility).toBe("public");
    expect(first.publishedAt).toMatch(/Z$/);
    expect((await api(`/v1/public/notes/${note.id}`)).status).toBe(200);
    expect((await publish(author, note.id, "private")).status).toBe(200);
    await expectProblem(await api(`/v1/public/notes/${note.id}`), 404);
    const again = await (await publish(author, note.id)).json<{ publishedAt: string }>();
    expect(again.publishedAt).toBe(first.publishedAt);
  });

  it("is for the notebook's owner and the note's own author while an editor: others 403", async () => {
    const [owner, author, editor, viewer] = await Promise.all([signUp(), signUp(), signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, author, "editor");
    await addMember(owner, notebook.id, editor, "editor");
    await addMember(owner, notebook.id, viewer, "viewer");
    const note = await createNote(author.request, { notebookId: notebook.id });
    for (const denied of [editor, viewer]) {
      const problem = await expectProblem(await publish(denied, note.id), 403);
      expect(problem.type).toBe("urn:cloud-notes:problem:forbidden");
    }
    expect((await publish(author, note.id)).status).toBe(200);
    expect((await publish(owner, note.id, "private")).status).toBe(200);
    // Editing stays an editor's right; only the visibility is not.
    expect((await editor.request(`/v1/notes/${note.id}`, patchJson({ title: "edited" }))).status).toBe(200);
  });
});

describe("reading without an account", () => {
  it("serves published notes and their files to anyone, with the author's display name and nothing else of theirs", async () => {
    const author = await signUp("Grace");
    const note = await publishedNote(author, { title: "Compilers", content: "A talk", tags: ["talks"] });
    const attachment = await upload(author.request, note.id, "slides", "slides.txt");
    await createNote(author.request, { title: "Private diary", tags: ["talks"] });

    const one = await api(`/v1/public/notes/${note.id}`);
    const body = await one.json<PublicNote & { attachments: { id: string }[] }>();
    expect(body).toMatchObject({ title: "Compilers", author: { displayName: "Grace" }, score: 0, myVote: null });
    expect(body.attachments.map((file) => file.id)).toEqual([attachment.id]);
    const feed = await (await api("/v1/public/notes?tag=talks")).text();
    expect(JSON.parse(feed).items.map((item: PublicNote) => item.id)).toEqual([note.id]);
    for (const text of [JSON.stringify(body), feed]) {
      expect(text).not.toContain(author.email);
      expect(text).not.toContain(author.user.id);
    }

    const download = await api(`/v1/public/notes/${note.id}/attachments/${attachment.id}`, {
      headers: { Range: "bytes=0-1" },
    });
    expect(download.status).toBe(206);
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");
    expect(download.headers.get("content-security-policy")).toBe("default-src 'none'; sandbox");
    expect(new TextDecoder().decode(await download.arrayBuffer())).toBe("sl");
    await publish(author, note.id, "private");
    await expectProblem(await api(`/v1/public/notes/${note.id}/attachments/${attachment.id}`), 404);
  });

  it("answers 404 for a private note, and 401 for a bad token rather than ignoring it", async () => {
    const author = await signUp();
    const note = await createNote(author.request);
    await expectProblem(await api(`/v1/public/notes/${note.id}`), 404);
    await expectProblem(await api("/v1/public/notes", { headers: { Authorization: "Bearer nonsense" } }), 401);
  });
});

describe("the feed", () => {
  it("orders by first publication (new) and by score then publication (top)", async () => {
    const tag = `t${crypto.randomUUID().slice(0, 8)}`;
    const author = await signUp();
    const [a, b, c] = [
      await publishedNote(author, { tags: [tag] }),
      await publishedNote(author, { tags: [tag] }),
      await publishedNote(author, { tags: [tag] }),
    ];
    const voters = await manyVoters(2);
    await Promise.all(voters.map((voter) => vote(voter, a.id, 1)));
    await vote(voters[0] ?? author, c.id, -1);
    const ids = async (query: string) =>
      (await (await api(`/v1/public/notes?tag=${tag}&${query}`)).json<{ items: PublicNote[] }>()).items.map(
        (item) => item.id,
      );
    expect(await ids("sort=new")).toEqual([c.id, b.id, a.id]);
    expect(await ids("sort=top")).toEqual([a.id, b.id, c.id]);
  });

  it("pages by publication without repeats or gaps while notes are published and voted on", async () => {
    const tag = `t${crypto.randomUUID().slice(0, 8)}`;
    const author = await signUp();
    const before: string[] = [];
    for (let i = 0; i < 9; i++) before.push((await publishedNote(author, { tags: [tag] })).id);
    const voters = await manyVoters(6);

    const seen: string[] = [];
    let cursor: string | null = null;
    let round = 0;
    do {
      const url: string = `/v1/public/notes?tag=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await (await api(url)).json<{ items: PublicNote[]; nextCursor: string | null }>();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      // Meanwhile: a new publication and votes on notes already seen and not yet seen.
      await Promise.all([
        publishedNote(author, { tags: [tag] }),
        vote(voters[round] ?? voters[0] ?? author, before[round] ?? "", 1),
        vote(voters[round] ?? voters[0] ?? author, before[8 - round] ?? "", -1),
      ]);
      round += 1;
    } while (cursor);
    expect(seen).toEqual([...before].reverse());
  });
});

describe("votes", () => {
  it("sets, changes and takes back one vote per user, answering the new totals", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const [voter] = await manyVoters(1);
    if (!voter) throw new Error("no voter");
    expect(await (await vote(voter, note.id, 1)).json()).toEqual({ score: 1, upvotes: 1, downvotes: 0, myVote: 1 });
    expect(await (await vote(voter, note.id, 1)).json()).toEqual({ score: 1, upvotes: 1, downvotes: 0, myVote: 1 });
    expect(await (await vote(voter, note.id, -1)).json()).toEqual({ score: -1, upvotes: 0, downvotes: 1, myVote: -1 });
    const mine = await voter.request(`/v1/public/notes/${note.id}`);
    expect(await mine.json()).toMatchObject({ myVote: -1 });
    expect(mine.headers.get("cache-control")).toBe("private, no-cache");
    const back = await voter.request(`/v1/public/notes/${note.id}/vote`, { method: "DELETE" });
    expect(await back.json()).toEqual({ score: 0, upvotes: 0, downvotes: 0, myVote: null });
  });

  it("refuses the author's own vote (403 own-note) and votes on unpublished notes (404)", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const problem = await expectProblem(await vote(author, note.id, 1), 403);
    expect(problem.type).toBe("urn:cloud-notes:problem:own-note");
    const hidden = await createNote(author.request);
    const [voter] = await manyVoters(1);
    await expectProblem(await vote(voter ?? author, hidden.id, 1), 404);
  });

  it("keeps votes while unpublished, shows them again on republishing, and drops a deleted voter's", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const voter = await signUp();
    const others = await manyVoters(2);
    await Promise.all([vote(voter, note.id, 1), ...others.map((other) => vote(other, note.id, 1))]);
    await publish(author, note.id, "private");
    await expectProblem(await vote(voter, note.id, -1), 404);
    await publish(author, note.id);
    expect(await (await api(`/v1/public/notes/${note.id}`)).json()).toMatchObject({ score: 3, upvotes: 3 });
    const deleted = await voter.request("/v1/users/me", json({ password: voter.password }, { method: "DELETE" }));
    expect(deleted.status).toBe(204);
    // The anonymous copy cached before the deletion went with it.
    expect(await (await api(`/v1/public/notes/${note.id}`)).json()).toMatchObject({ score: 2, upvotes: 2 });
  });

  it("counts 1,000 concurrent votes from distinct users exactly, each in one round trip", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const voters = await manyVoters(1000);
    const answers = await Promise.all(voters.map((voter, i) => vote(voter, note.id, i % 5 < 3 ? 1 : -1)));
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(await (await api(`/v1/public/notes/${note.id}`)).json()).toMatchObject({
      upvotes: 600,
      downvotes: 400,
      score: 200,
    });
    const counted = await testDatabase().execute(sql`select count(*)::int as n from votes where note_id = ${note.id}`);
    expect(counted.rows).toEqual([{ n: 1000 }]);
    const [late] = await manyVoters(1);
    expect(await roundTripsDuring(() => vote(late ?? author, note.id, 1))).toBe(1);
  }, 120_000);

  it("drops the new author's own vote when a deleted member's note passes to the notebook's owner", async () => {
    const [owner, member] = await Promise.all([signUp(), signUp()]);
    const notebook = await createNotebook(owner);
    await addMember(owner, notebook.id, member, "editor");
    const note = await publishedNote(member, { notebookId: notebook.id });
    await vote(owner, note.id, 1);
    await member.request("/v1/users/me", json({ password: member.password }, { method: "DELETE" }));
    expect(await (await api(`/v1/public/notes/${note.id}`)).json()).toMatchObject({ score: 0, upvotes: 0 });
  });

  it("limits voting per user (429 with Retry-After)", async () => {
    const author = await signUp();
    const notes = await Promise.all(Array.from({ length: 3 }, () => publishedNote(author)));
    const [voter] = await manyVoters(1);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      statuses.push((await vote(voter ?? author, notes[i % 3]?.id ?? "", i % 2 ? 1 : -1)).status);
    }
    expect(statuses.slice(0, 60).every((status) => status === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});

describe("caching", () => {
  it("lets shared caches keep anonymous answers; a hit costs no database round trip; 304 on If-None-Match", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const first = await api(`/v1/public/notes/${note.id}`);
    expect(first.headers.get("cache-control")).toBe("public, s-maxage=60, max-age=0, must-revalidate");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{24}"$/);
    expect(await roundTripsDuring(() => api(`/v1/public/notes/${note.id}`))).toBe(0);
    const fresh = { headers: { "Cache-Control": "no-cache" } };
    expect(await roundTripsDuring(() => api(`/v1/public/notes/${note.id}`, fresh))).toBe(1);
    const revalidated = await api(`/v1/public/notes/${note.id}`, { headers: { "If-None-Match": etag } });
    expect(revalidated.status).toBe(304);
  });

  it("never serves a stale copy here after an edit, a vote, unpublishing or deleting", async () => {
    const author = await signUp();
    const note = await publishedNote(author, { title: "v1" });
    const read = async () => api(`/v1/public/notes/${note.id}`);
    await read();
    await author.request(`/v1/notes/${note.id}`, patchJson({ title: "v2" }));
    expect(await (await read()).json()).toMatchObject({ title: "v2" });
    const [voter] = await manyVoters(1);
    await vote(voter ?? author, note.id, 1);
    expect(await (await read()).json()).toMatchObject({ score: 1 });
    await publish(author, note.id, "private");
    await expectProblem(await read(), 404);
    await publish(author, note.id);
    await read();
    await author.request(`/v1/notes/${note.id}`, { method: "DELETE" });
    await expectProblem(await read(), 404);
  });

  it("drops every spelling and every feed variant of a copy when the note is unpublished", async () => {
    const tag = `t${crypto.randomUUID().slice(0, 8)}`;
    const author = await signUp();
    const note = await publishedNote(author, { tags: [tag] });
    const shouting = `/v1/public/notes/${note.id.toUpperCase()}`;
    const variants = [`/v1/public/notes?tag=${tag}`, `/v1/public/notes?tag=${tag}&limit=7&sort=top`];
    expect((await api(shouting)).status).toBe(200);
    for (const variant of variants) expect(await (await api(variant)).text()).toContain(note.id);
    await publish(author, note.id, "private");
    await expectProblem(await api(shouting), 404);
    for (const variant of variants) expect(await (await api(variant)).text()).not.toContain(note.id);
  });

  it("says the answer varies with Authorization, cached or not", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    for (const response of [
      await api(`/v1/public/notes/${note.id}`),
      await api(`/v1/public/notes/${note.id}`),
      await author.request(`/v1/public/notes/${note.id}`),
      await api("/v1/public/notes"),
    ]) {
      expect(response.headers.get("vary")).toContain("Authorization");
    }
  });

  it("drops the cached copy of a published note deleted with its notebook", async () => {
    const owner = await signUp();
    const notebook = await createNotebook(owner);
    const note = await publishedNote(owner, { notebookId: notebook.id });
    expect((await api(`/v1/public/notes/${note.id}`)).status).toBe(200);
    expect((await owner.request(`/v1/notebooks/${notebook.id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(`/v1/public/notes/${note.id}`), 404);
  });

  it("keeps signed-in answers private and out of the shared cache", async () => {
    const author = await signUp();
    const note = await publishedNote(author);
    const viewer = await signUp();
    const response = await viewer.request(`/v1/public/notes/${note.id}`);
    expect(response.headers.get("cache-control")).toBe("private, no-cache");
    expect(await roundTripsDuring(() => viewer.request(`/v1/public/notes/${note.id}`))).toBe(1);
  });
});

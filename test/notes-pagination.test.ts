import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes/note.schemas";
import { signUp } from "./support/accounts";
import { testDatabase } from "./support/api";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

type Page = { items: Note[]; nextCursor: string | null };

async function createMany(request: Parameters<typeof createNote>[0], count: number, prefix: string) {
  const created: Note[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) =>
      createNote(request, { title: `${prefix} ${start + i}` }),
    );
    created.push(...(await Promise.all(batch)));
  }
  return created;
}

describe("GET /v1/notes pagination", () => {
  it("walks 250 notes with concurrent inserts between pages: no duplicates, no gaps", async () => {
    const { request } = await signUp();
    const originals = await createMany(request, 250, "original");
    const seen: Note[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await (await request(`/v1/notes?limit=20${cursor ? `&cursor=${cursor}` : ""}`)).json<Page>();
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
      // Other writes land while the client pages: they are newer, so they sort before the cursor.
      await createMany(request, 3, `inserted during page ${pages}`);
    } while (cursor);

    const ids = seen.map((note) => note.id);
    expect(new Set(ids).size).toBe(ids.length);
    const originalIds = new Set(originals.map((note) => note.id));
    expect(ids.filter((id) => originalIds.has(id))).toHaveLength(250);
    // Newest first, by updatedAt then id.
    const order = seen.map((note) => note.updatedAt);
    expect([...order].sort().reverse()).toEqual(order);
    expect(pages).toBe(13);
  });

  it("sorts by creation time with sort=created, and answers nextCursor null on the last page", async () => {
    const { request } = await signUp();
    const older = await createNote(request, { title: "first" });
    await createNote(request, { title: "second" });
    // Pinned an hour back: two inserts a moment apart need not get increasing now() on every clock.
    await testDatabase().execute(
      sql`update notes set created_at = created_at - interval '1 hour' where id = ${older.id}`,
    );
    // Touch the older one: by update it moves first, by creation it stays last.
    await request(`/v1/notes/${older.id}`, patchJson({ content: "touched" }));
    const byUpdate = await (await request("/v1/notes")).json<Page>();
    const byCreation = await (await request("/v1/notes?sort=created")).json<Page>();
    expect(byUpdate.items[0]?.id).toBe(older.id);
    expect(byCreation.items.at(-1)?.id).toBe(older.id);
    expect(byCreation.nextCursor).toBeNull();
  });

  it("filters by tag (all must match), pinned and archived (hidden by default)", async () => {
    const { request } = await signUp();
    const both = await createNote(request, { title: "both", tags: ["work", "urgent"] });
    await createNote(request, { title: "work only", tags: ["work"] });
    const pinned = await createNote(request, { title: "pinned", pinned: true });
    const archived = await createNote(request, { title: "archived" });
    await request(`/v1/notes/${archived.id}`, patchJson({ archived: true }));
    const titles = async (query: string) =>
      (await (await request(`/v1/notes?${query}`)).json<Page>()).items.map((note) => note.title).sort();

    expect(await titles("tag=work&tag=URGENT")).toEqual([both.title]);
    expect(await titles("tag=work")).toEqual(["both", "work only"]);
    expect(await titles("pinned=true")).toEqual([pinned.title]);
    expect(await titles("archived=true")).toEqual(["archived"]);
    expect(await titles("")).not.toContain("archived");
  });

  it.each([
    ["limit=0"],
    ["limit=101"],
    ["limit=abc"],
    ["sort=title"],
    ["pinned=yes"],
    ["cursor=not-a-cursor"],
    ["cursor=eyJzb3J0IjoidXBkYXRlZCJ9"],
    ["notebookId=123"],
  ])("answers 422 for %s", async (query) => {
    const { request } = await signUp();
    await expectProblem(await request(`/v1/notes?${query}`), 422);
  });

  it("answers 422 for a cursor from another kind of listing", async () => {
    const { request } = await signUp();
    await createMany(request, 3, "n");
    const page = await (await request("/v1/notes?limit=1")).json<Page>();
    await expectProblem(await request(`/v1/notes?limit=1&sort=created&cursor=${page.nextCursor}`), 422);
    await expectProblem(await request(`/v1/notes?limit=1&q=n&cursor=${page.nextCursor}`), 422);
  });
});

import { describe, expect, it } from "vitest";
import type { Note } from "../src/routes/notes/note.schemas";
import { signUp } from "./support/accounts";
import { createNote } from "./support/notes";

type Page = { items: Note[]; nextCursor: string | null };

describe("GET /v1/notes?q= full-text search", () => {
  it("finds words in title and content, with stemming, and ranks a title match first", async () => {
    const { request } = await signUp();
    const inContent = await createNote(request, { title: "Weekend", content: "We went running by the harbour" });
    const inTitle = await createNote(request, { title: "Harbour walks", content: "Notes for later" });
    await createNote(request, { title: "Unrelated", content: "Nothing to see" });

    const harbour = await (await request("/v1/notes?q=harbour")).json<Page>();
    expect(harbour.items.map((note) => note.id)).toEqual([inTitle.id, inContent.id]);

    const run = await (await request("/v1/notes?q=run")).json<Page>();
    expect(run.items.map((note) => note.id)).toEqual([inContent.id]);
  });

  it("understands quoted phrases and exclusions, and pages through ranked results", async () => {
    const { request } = await signUp();
    for (let i = 0; i < 7; i++)
      await createNote(request, { title: `Recipe ${i}`, content: i % 2 ? "apple pie" : "apple crumble" });
    const phrase = await (await request(`/v1/notes?q=${encodeURIComponent('"apple pie"')}`)).json<Page>();
    expect(phrase.items).toHaveLength(3);
    const without = await (await request(`/v1/notes?q=${encodeURIComponent("apple -pie")}`)).json<Page>();
    expect(without.items).toHaveLength(4);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await (
        await request(`/v1/notes?q=apple&limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      ).json<Page>();
      seen.push(...page.items.map((note) => note.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(7);
    expect(seen).toHaveLength(7);
  });

  it("pages the longest listing a query can name with cursors well within the cursor parameter's limit", async () => {
    // A cursor carries only the position; the listing it is bound to is in its MAC, not in it.
    const { request } = await signUp();
    const tags = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, "0")}${"t".repeat(38)}`);
    for (let i = 0; i < 5; i++)
      await createNote(request, { title: `apple ${i}`, content: "apple", tags, pinned: true });
    const q = "apple or pear ".repeat(15).slice(0, 200);
    const filters = `q=${encodeURIComponent(q)}&sort=created&pinned=true&archived=false${tags.map((tag) => `&tag=${tag}`).join("")}`;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await request(`/v1/notes?${filters}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const page: Page = await response.json<Page>();
      seen.push(...page.items.map((note) => note.id));
      cursor = page.nextCursor;
      expect(cursor?.length ?? 0).toBeLessThanOrEqual(200);
    } while (cursor);
    expect(new Set(seen).size).toBe(5);
  });

  it("treats operators in q as text, never as an error", async () => {
    const { request } = await signUp();
    for (const q of ["&&", "!!", "a:*", "(", "'", "\\", "or or or"]) {
      expect((await request(`/v1/notes?q=${encodeURIComponent(q)}`)).status).toBe(200);
    }
  });
});

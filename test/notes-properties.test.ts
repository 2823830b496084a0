import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { json, signUp } from "./support/accounts";
import { api } from "./support/api";
import { patchJson } from "./support/notes";

const text = (min: number, max: number) => fc.string({ unit: "grapheme", minLength: min, maxLength: max });
const validNote = fc.record({
  title: text(1, 50).filter((title) => title.trim().length > 0),
  content: text(0, 300),
  tags: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,40}$/), { maxLength: 20 }),
  pinned: fc.boolean(),
});

describe("notes, property-based", () => {
  it("round-trips any valid note exactly (title trimmed)", async () => {
    const { request } = await signUp();
    await fc.assert(
      fc.asyncProperty(validNote, async (input) => {
        const created = await request("/v1/notes", json(input));
        expect(created.status).toBe(201);
        const { id } = await created.json<{ id: string }>();
        const stored = await (await request(`/v1/notes/${id}`)).json();
        expect(stored).toMatchObject({ ...input, title: input.title.trim() });
      }),
      { numRuns: 40 },
    );
  });

  it("answers any invalid body with a 4xx problem, never a 5xx", async () => {
    const { request } = await signUp();
    const requests = fc.oneof(
      fc.anything().map((value) => json(value)),
      fc
        .record(
          { title: fc.anything(), content: fc.anything(), tags: fc.anything(), pinned: fc.anything() },
          { requiredKeys: [] },
        )
        .map((value) => json(value)),
      fc.string().map((raw) => ({ ...json({}), body: raw })),
    );
    await fc.assert(
      fc.asyncProperty(requests, async (init) => {
        const response = await request("/v1/notes", init);
        if (response.status === 201) return; // a random value can be a valid note
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }),
      { numRuns: 80 },
    );
  });

  it("answers random patches and query strings with 2xx or 4xx, never 5xx", async () => {
    const { request } = await signUp();
    const created = await (await request("/v1/notes", json({ title: "t", content: "c" }))).json<{ id: string }>();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.anything()), fc.webQueryParameters(), async (patch, query) => {
        const patched = await request(`/v1/notes/${created.id}`, patchJson(patch));
        expect(patched.status).toBeLessThan(500);
        const listed = await request(`/v1/notes?${query}`);
        expect(listed.status).toBeLessThan(500);
      }),
      { numRuns: 60 },
    );
  });

  it("never answers 5xx for random ids and If-Match headers", async () => {
    const { request } = await signUp();
    await fc.assert(
      // Non-empty: "/v1/notes/" with nothing after it is no route at all (404 before any auth), and
      // "." or ".." are dot segments that URL parsing removes, leaving just that.
      fc.asyncProperty(
        fc.webSegment().filter((segment) => segment.length > 0 && segment !== "." && segment !== ".."),
        fc.string(),
        async (id, ifMatch) => {
          const response = await request(`/v1/notes/${id}`, patchJson({ title: "x" }, { "If-Match": ifMatch }));
          expect(response.status).toBeLessThan(500);
          expect((await api(`/v1/notes/${id}`)).status).toBe(401);
        },
      ),
      { numRuns: 60 },
    );
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../src/lib/base64url";
import { encodeCursor, type Listing } from "../src/lib/cursor";
import { json, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { api } from "./support/api";
import { createNote, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

// The text rule (well-formed Unicode, no U+0000) and strict numbers, at the places the audit found
// 500s or silent corruption. test/input-fuzz.test.ts holds every other field to the same rule.
async function expectFieldRefused(response: Response, path: string) {
  const body = await expectProblem(response, 422);
  expect(body.errors, JSON.stringify(body)).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
}

const encodeJson = (value: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));

describe("text inputs", () => {
  it("answers the token endpoint's NUL username with invalid_request naming the field", async () => {
    const response = await api("/v1/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "CF-Connecting-IP": "198.51.100.7" },
      body: "grant_type=password&username=a%00b%40example.com&password=x",
    });
    expect(response.status).toBe(400);
    const body = await response.json<{ error: string; error_description: string }>();
    expect(body.error).toBe("invalid_request");
    expect(body.error_description).toContain("username");
  });

  it("refuses U+0000 in register's email, password and display name", async () => {
    const register = (fields: Record<string, string>) =>
      api("/v1/auth/register", json({ email: uniqueEmail(), password: PASSWORD, ...fields }));
    await expectFieldRefused(await register({ email: "a\u0000b@example.com" }), "body.email");
    await expectFieldRefused(await register({ password: `${PASSWORD}\u0000` }), "body.password");
    await expectFieldRefused(await register({ displayName: "Ada\u0000" }), "body.displayName");
  });

  it("refuses lone surrogates in a note's title, content and tags instead of storing U+FFFD", async () => {
    const { request } = await signUp();
    const create = (fields: Record<string, unknown>) =>
      request("/v1/notes", json({ title: "A note", content: "Words", ...fields }));
    await expectFieldRefused(await create({ title: "broken \ud800" }), "body.title");
    await expectFieldRefused(await create({ content: "broken \udc00 content" }), "body.content");
    await expectFieldRefused(await create({ tags: ["fine", "\ud83d"] }), "body.tags.1");
    await expectFieldRefused(await create({ tags: ["nul\u0000"] }), "body.tags.0");
    const note = await createNote(request);
    await expectFieldRefused(await request(`/v1/notes/${note.id}`, patchJson({ title: "\udfff" })), "body.title");
    // Well-formed astral characters are text like any other.
    const astral = await create({ title: "𝄞 clef 😀", content: "👩🏽‍💻" });
    expect(await astral.json()).toMatchObject({ title: "𝄞 clef 😀", content: "👩🏽‍💻" });
  });

  it("refuses U+0000 in the q and tag query parameters", async () => {
    const { request } = await signUp();
    await expectFieldRefused(await request("/v1/notes?q=a%00b"), "query.q");
    await expectFieldRefused(await request("/v1/notes?tag=a%00b"), "query.tag.0");
    await expectFieldRefused(await request("/v1/notes?tag=ok&tag=%00"), "query.tag.1");
  });

  it("refuses U+0000 in a changed display name", async () => {
    const { request } = await signUp();
    await expectFieldRefused(
      await request("/v1/users/me", json({ displayName: "\u0000" }, { method: "PATCH" })),
      "body.displayName",
    );
  });
});

describe("numbers in query strings", () => {
  it.each(["0x10", "1e1", "%205%20", "+5", "5.0", "-1", "05", "99999999999999999999"])(
    "refuses limit=%s",
    async (limit) => {
      const { request } = await signUp();
      await expectFieldRefused(await request(`/v1/notes?limit=${limit}`), "query.limit");
    },
  );

  it("says what is wrong with a limit: its notation, or its size", async () => {
    const { request } = await signUp();
    const messages = async (limit: string) =>
      ((await expectProblem(await request(`/v1/notes?limit=${limit}`), 422)).errors as { message: string }[]).map(
        (error) => error.message,
      );
    expect(await messages("0x10")).toEqual([expect.stringContaining("decimal digits")]);
    expect(await messages("99999999999999999999")).toEqual(["must be at most 100"]);
    expect(await messages("101")).toEqual([expect.stringContaining("100")]);
  });

  it("accepts plain digits", async () => {
    const { request } = await signUp();
    expect((await request("/v1/notes?limit=5")).status).toBe(200);
  });
});

describe("cursors", () => {
  async function firstPage(request: (path: string) => Promise<Response>, query = "") {
    for (let i = 0; i < 3; i++) await createNote(request as never, { title: `n ${i}`, tags: ["t"] });
    const page = await (await request(`/v1/notes?limit=1${query}`)).json<{ nextCursor: string }>();
    expect(page.nextCursor).toEqual(expect.any(String));
    return page.nextCursor;
  }

  it("refuses a cursor whose position was edited", async () => {
    const { request } = await signUp();
    const cursor = await firstPage(request);
    const [payload, mac] = cursor.split(".") as [string, string];
    const position = JSON.parse(
      new TextDecoder().decode(
        Uint8Array.from(atob(payload.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)),
      ),
    );
    for (const forged of [
      { ...position, time: "0000-01-01T00:00:00.000000Z" },
      { ...position, time: "2026-02-30T00:00:00.000000Z" },
      { ...position, id: crypto.randomUUID() },
    ]) {
      await expectFieldRefused(await request(`/v1/notes?limit=1&cursor=${encodeJson(forged)}.${mac}`), "query.cursor");
    }
  });

  it("refuses well-shaped cursors it never signed", async () => {
    const { request } = await signUp();
    const unsigned = [
      { sort: "updated", time: "0000-01-01T00:00:00.000000Z", id: crypto.randomUUID() },
      { sort: "updated", time: "2026-13-45T25:61:61.000000Z", id: crypto.randomUUID() },
      { sort: "updated", time: "2026-01-01T00:00:00.000000Z", id: crypto.randomUUID(), rank: 1e300 },
    ];
    for (const position of unsigned) {
      await expectFieldRefused(await request(`/v1/notes?limit=1&q=n&cursor=${encodeJson(position)}`), "query.cursor");
      await expectFieldRefused(
        await request(`/v1/notes?limit=1&cursor=${encodeJson(position)}.${toBase64Url(new Uint8Array(32))}`),
        "query.cursor",
      );
    }
  });

  it("still refuses an impossible position in a cursor it signed itself (year 0000, month 13, rank 1e300)", async () => {
    // Defence in depth: were the key ever to leak, a signed cursor is still parsed strictly, never a 500.
    const { request } = await signUp();
    const listing: Listing = { sort: "updated", tag: [], archived: false, scope: "all" };
    const id = crypto.randomUUID();
    const signed = (position: { time: string; id: string; rank?: number }, query = listing) =>
      encodeCursor(position, query, env.PASSWORD_PEPPER);
    for (const time of ["0000-01-01T00:00:00.000000Z", "2026-13-45T25:61:61.000000Z", "2026-02-30T00:00:00.000000Z"]) {
      await expectFieldRefused(await request(`/v1/notes?limit=1&cursor=${await signed({ time, id })}`), "query.cursor");
    }
    const ranked = await signed({ time: "2026-01-01T00:00:00.000000Z", id, rank: 1e300 }, { ...listing, q: "n" });
    await expectFieldRefused(await request(`/v1/notes?limit=1&q=n&cursor=${ranked}`), "query.cursor");
    // The same key and listing with a sound position is accepted: what failed above was the position.
    const sound = await signed({ time: "2026-01-01T00:00:00.000000Z", id });
    expect((await request(`/v1/notes?limit=1&cursor=${sound}`)).status).toBe(200);
  });

  it("accepts a cursor whatever the order or case of the listing's tags", async () => {
    const { request } = await signUp();
    for (let i = 0; i < 3; i++) await createNote(request, { title: `n ${i}`, tags: ["a", "b"] });
    const page = await (await request("/v1/notes?limit=1&tag=a&tag=b")).json<{ nextCursor: string }>();
    const next = await request(`/v1/notes?limit=1&tag=B&tag=%20a&cursor=${page.nextCursor}`);
    expect(next.status).toBe(200);
    expect((await next.json<{ items: unknown[] }>()).items).toHaveLength(1);
  });

  it("refuses a cursor from a listing with other filters", async () => {
    const { request } = await signUp();
    const cursor = await firstPage(request, "&tag=t");
    expect((await request(`/v1/notes?limit=1&tag=t&cursor=${cursor}`)).status).toBe(200);
    await expectFieldRefused(await request(`/v1/notes?limit=1&cursor=${cursor}`), "query.cursor");
    await expectFieldRefused(await request(`/v1/notes?limit=1&tag=t&pinned=true&cursor=${cursor}`), "query.cursor");
  });
});

describe("bytes that are not UTF-8", () => {
  // 0xFF and an encoded surrogate (ED A0 80) cannot appear in UTF-8; decoding would mend them to U+FFFD.
  const broken = (prefix: string, suffix: string, bad: number[]) =>
    new Uint8Array([...new TextEncoder().encode(prefix), ...bad, ...new TextEncoder().encode(suffix)]);

  it.each([[[0xff]], [[0xed, 0xa0, 0x80]], [[0xc0, 0x80]]])(
    "refuse a JSON body carrying %j (400), storing nothing",
    async (bad) => {
      const { request } = await signUp();
      const body = broken('{"title":"broken ', '","content":"x"}', bad);
      const response = await request("/v1/notes", {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
      });
      await expectProblem(response, 400);
      const list = await (await request("/v1/notes")).json<{ items: unknown[] }>();
      expect(list.items).toHaveLength(0);
      const register = await api("/v1/auth/register", {
        method: "POST",
        body: broken('{"email":"a@example.com","password":"long enough ', '"}', bad),
        headers: { "Content-Type": "application/json", "CF-Connecting-IP": "198.51.100.9" },
      });
      await expectProblem(register, 400);
    },
  );
});

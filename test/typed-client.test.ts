import { describe, expect, expectTypeOf, it } from "vitest";
import { createClient } from "../src/client";
import { PASSWORD, uniqueEmail, uniqueIp } from "./support/accounts";
import { api } from "./support/api";

// Hono's client over the worker's real fetch handler: every call below is typed by AppType alone.
const client = createClient("https://api.test", {
  fetch: (input: RequestInfo | URL, init?: RequestInit) => api(new Request(input, init).url, init),
  headers: () => ({ "CF-Connecting-IP": uniqueIp() }),
});

describe("typed Hono client (hc<AppType>)", () => {
  it("registers, signs in, writes and reads notes with types from the route contracts", async () => {
    const email = uniqueEmail();
    const registered = await client.v1.auth.register.$post({ json: { email, password: PASSWORD } });
    expect(registered.status).toBe(201);

    const signedIn = await client.v1.auth.token.$post({
      form: { grant_type: "password", username: email, password: PASSWORD },
    });
    if (signedIn.status !== 200) throw new Error(`sign in answered ${signedIn.status}`);
    const { access_token } = await signedIn.json();
    const headers = { Authorization: `Bearer ${access_token}` };

    const me = await client.v1.users.me.$get({}, { headers });
    if (me.status !== 200) throw new Error(`me answered ${me.status}`);
    expect((await me.json()).email).toBe(email);

    const created = await client.v1.notes.$post({ json: { title: "Typed", content: "by hc" } }, { headers });
    if (created.status !== 201) throw new Error(`create answered ${created.status}`);
    const note = await created.json();
    expect(note.title).toBe("Typed");
    // Checked by the type-check (CI), not at run time: the answer's type comes from NoteSchema.
    expectTypeOf(note.tags).toEqualTypeOf<string[]>();

    const read = await client.v1.notes[":id"].$get({ param: { id: note.id }, header: {} }, { headers });
    if (read.status !== 200) throw new Error(`get answered ${read.status}`);
    expect((await read.json()).content).toBe("by hc");

    const missing = await client.v1.notes[":id"].$get({ param: { id: crypto.randomUUID() }, header: {} }, { headers });
    expect(missing.status).toBe(404);
  });
});

import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { createNote, listAll, patchJson } from "./support/notes";
import { expectProblem } from "./support/problem";

// User B knows the id of user A's note. Every way B can reach it answers exactly as for a note that
// does not exist, and A's note is unchanged afterwards.
describe("another user's notes", () => {
  it("cannot be read, listed, searched, updated or deleted, and answer like missing ones", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const secret = await createNote(alice.request, {
      title: "Alice secret plan",
      content: "zanzibar",
      tags: ["private"],
    });
    const missing = "0b6f3c52-5f0e-4d5e-9c53-8f0d3f5c7a11";

    const attempts: [string, (id: string) => Promise<Response>][] = [
      ["read", (id) => bob.request(`/v1/notes/${id}`)],
      ["update", (id) => bob.request(`/v1/notes/${id}`, patchJson({ title: "pwned" }))],
      [
        "update with If-Match",
        (id) => bob.request(`/v1/notes/${id}`, patchJson({ title: "pwned" }, { "If-Match": '"v1"' })),
      ],
      ["delete", (id) => bob.request(`/v1/notes/${id}`, { method: "DELETE" })],
    ];
    for (const [what, attempt] of attempts) {
      const theirs = await expectProblem(await attempt(secret.id), 404);
      const nobodys = await expectProblem(await attempt(missing), 404);
      const strip = ({ instance: _, requestId: __, ...rest }: Record<string, unknown>) => rest;
      expect(strip(theirs), what).toEqual(strip(nobodys));
    }

    expect(await listAll(bob.request)).toEqual([]);
    expect(await listAll(bob.request, "q=zanzibar")).toEqual([]);
    expect(await listAll(bob.request, "tag=private")).toEqual([]);
    expect(await listAll(bob.request, "archived=true")).toEqual([]);

    const after = await (await alice.request(`/v1/notes/${secret.id}`)).json();
    expect(after).toEqual(secret);
    expect(await listAll(alice.request)).toEqual([secret]);
  });
});

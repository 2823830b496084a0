import { describe, expect, it } from "vitest";
import { uniqueIp } from "./support/accounts";
import { api } from "./support/api";

interface Operation {
  security?: unknown[];
}

// Generated from the OpenAPI document: what it says about sign-in is what the server enforces, for
// every operation, including ones added later.
describe("the document's security is what runs", () => {
  it("answers 401 without a token on every secured operation, and never on an open one", async () => {
    const document = await (await api("/openapi.json")).json<{ paths: Record<string, Record<string, Operation>> }>();
    let secured = 0;
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const path = template.replace(/\{\w+\}/g, crypto.randomUUID());
        const response = await api(path, { method: method.toUpperCase(), headers: { "CF-Connecting-IP": uniqueIp() } });
        const label = `${method.toUpperCase()} ${template}`;
        // Security that includes "none" ({}) makes sign-in optional: such operations never demand a token.
        const optional = operation.security?.some((requirement) => Object.keys(requirement as object).length === 0);
        if (operation.security?.length && !optional) {
          secured++;
          expect(response.status, label).toBe(401);
          expect(response.headers.get("www-authenticate"), label).toMatch(/^Bearer /);
        } else {
          expect(response.status, label).not.toBe(401);
        }
      }
    }
    expect(secured).toBeGreaterThan(10);
  });
});

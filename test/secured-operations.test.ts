import { describe, expect, it } from "vitest";
import { uniqueIp } from "./support/accounts";
import { api } from "./support/api";
import { fetchDocument, operationsOf, responseDepartures } from "./support/openapi-document";

// Generated from the OpenAPI document: what it says about sign-in is what the server enforces, for
// every operation, including ones added later; and each answer is one the document describes.
describe("the document's security is what runs", () => {
  it("answers 401 without a token on every secured operation, and never on an open one", async () => {
    const document = await fetchDocument();
    let secured = 0;
    for (const { method, template, operation } of operationsOf(document)) {
      const path = template.replace(/\{\w+\}/g, crypto.randomUUID());
      const response = await api(path, { method: method.toUpperCase(), headers: { "CF-Connecting-IP": uniqueIp() } });
      const label = `${method.toUpperCase()} ${template}`;
      expect(await responseDepartures(document, method, path, response), label).toEqual([]);
      // Security that includes "none" ({}) makes sign-in optional: such operations never demand a token.
      const optional = operation.security?.some((requirement) => Object.keys(requirement).length === 0);
      if (operation.security?.length && !optional) {
        secured++;
        expect(response.status, label).toBe(401);
        expect(response.headers.get("www-authenticate"), label).toMatch(/^Bearer /);
      } else {
        expect(response.status, label).not.toBe(401);
      }
    }
    expect(secured).toBeGreaterThan(10);
  });
});

import { describe, expect, it } from "vitest";
import { api } from "./support/api";
import { fetchDocument, operationsOf } from "./support/openapi-document";

// Response headers a browser lets scripts read without being told (Fetch standard's CORS-safelisted ones).
const SAFELISTED = [
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
];

async function documentedHeaders() {
  const sent = new Set<string>();
  const answered = new Set<string>();
  for (const { operation } of operationsOf(await fetchDocument())) {
    for (const parameter of operation.parameters ?? [])
      if (parameter.in === "header") sent.add(parameter.name.toLowerCase());
    for (const response of Object.values(operation.responses))
      for (const name of Object.keys(response.headers ?? {})) answered.add(name.toLowerCase());
  }
  return { sent: [...sent], answered: [...answered].filter((name) => !SAFELISTED.includes(name)) };
}

const listed = (value: string | null) => (value ?? "").toLowerCase().split(/\s*,\s*/);

describe("CORS, from the OpenAPI document", () => {
  it("lets a browser on another origin send every documented request header", async () => {
    const { sent } = await documentedHeaders();
    expect(sent).toContain("range");
    const preflight = await api("/v1/notes", {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": sent.join(","),
      },
    });
    expect(preflight.status).toBe(204);
    expect(listed(preflight.headers.get("access-control-allow-headers"))).toEqual(expect.arrayContaining(sent));
  });

  it("lets a browser read every documented response header", async () => {
    const { answered } = await documentedHeaders();
    expect(answered).toContain("content-range");
    const response = await api("/health/live", { headers: { Origin: "https://app.example" } });
    expect(listed(response.headers.get("access-control-expose-headers"))).toEqual(expect.arrayContaining(answered));
  });
});

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("R2 binding", () => {
  it("writes and reads an object in the local bucket", async () => {
    const key = `probe/${crypto.randomUUID()}`;
    await env.ATTACHMENTS.put(key, "hello, bytes", { httpMetadata: { contentType: "text/plain" } });
    const object = await env.ATTACHMENTS.get(key);
    expect(await object?.text()).toBe("hello, bytes");
    expect(object?.httpMetadata?.contentType).toBe("text/plain");
    await env.ATTACHMENTS.delete(key);
    expect(await env.ATTACHMENTS.head(key)).toBeNull();
  });
});

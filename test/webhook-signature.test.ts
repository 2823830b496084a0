import fc from "fast-check";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, WEBHOOK_SECRET_BYTES } from "../src/webhooks/signature";

// What a receiver sees: every signature is checked with the Standard Webhooks reference library
// (the npm package `standardwebhooks`, as a receiver would use it), never with our own code.

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({ type: "note.updated", data: { id: "0f8fad5b-d9cb-469f-a165-70867728950e" } });
const message = (timestamp = now()) => ({ id: "evt_0f8fad5bd9cb469fa16570867728950e", timestamp, body });

/** What the reference library makes of a delivery: the parsed body, or the error it refuses it with. */
function received(secret: string, payload: string, headers: Record<string, string>): unknown {
  try {
    return new Webhook(secret).verify(payload, headers);
  } catch (error) {
    return error;
  }
}

const bytesOf = (secret: string) => Uint8Array.from(atob(secret.slice("whsec_".length)), (c) => c.charCodeAt(0));
const secretOf = (length: number) => `whsec_${btoa(String.fromCharCode(...new Uint8Array(length).fill(7)))}`;

describe("webhook signatures", () => {
  it("match the test vector the reference libraries share", async () => {
    const headers = await signWebhook(
      { id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330, body: '{"test": 2432232314}' },
      ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
    );
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });

  it("verify with the receiver's secret, and hand it the body as sent", async () => {
    const secret = newWebhookSecret();
    const headers = await signWebhook(message(), [secret]);
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(received(secret, body, headers)).toEqual(JSON.parse(body));
  });

  it("carry one signature per secret during a rotation, each verifying alone", async () => {
    const [old, current, other] = [newWebhookSecret(), newWebhookSecret(), newWebhookSecret()];
    const headers = await signWebhook(message(), [old, current]);
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    expect(received(old, body, headers)).toEqual(JSON.parse(body));
    expect(received(current, body, headers)).toEqual(JSON.parse(body));
    expect(received(other, body, headers)).toBeInstanceOf(WebhookVerificationError);
  });

  it("fail when the body, the timestamp or the id is changed on the way", async () => {
    const secret = newWebhookSecret();
    const sent = message();
    const headers = await signWebhook(sent, [secret]);
    const refused = { name: "WebhookVerificationError", message: "No matching signature found" };
    expect(received(secret, body.replace("note.updated", "note.created"), headers)).toMatchObject(refused);
    expect(received(secret, `${body} `, headers)).toMatchObject(refused);
    // A second off: still inside the receiver's tolerance, so only the signature can tell.
    const later = { ...headers, "webhook-timestamp": String(sent.timestamp + 1) };
    expect(received(secret, body, later)).toMatchObject(refused);
    expect(received(secret, body, { ...headers, "webhook-id": `${sent.id}x` })).toMatchObject(refused);
  });

  it("are refused by the receiver when the attempt is older than its tolerance, however well signed", async () => {
    const secret = newWebhookSecret();
    const headers = await signWebhook(message(now() - 3600), [secret]);
    expect(received(secret, body, headers)).toMatchObject({ message: "Message timestamp too old" });
  });

  it("equal the reference library's for any id, time and body, Unicode included", async () => {
    const secret = newWebhookSecret();
    const reference = new Webhook(secret);
    await fc.assert(
      fc.asyncProperty(
        fc.stringMatching(/^[\w-]{1,64}$/),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.string({ unit: "binary", maxLength: 300 }),
        async (id, timestamp, text) => {
          const headers = await signWebhook({ id, timestamp, body: text }, [secret]);
          expect(headers["webhook-signature"]).toBe(reference.sign(id, new Date(timestamp * 1000), text));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("refuse an id or timestamp that could be read as part of another signed content", async () => {
    const secret = newWebhookSecret();
    await expect(signWebhook({ ...message(), id: "evt.1" }, [secret])).rejects.toThrow("webhook id");
    await expect(signWebhook({ ...message(), id: "" }, [secret])).rejects.toThrow("webhook id");
    await expect(signWebhook({ ...message(), id: "evt\r\nx-injected: 1" }, [secret])).rejects.toThrow("webhook id");
    await expect(signWebhook(message(now() + 0.5), [secret])).rejects.toThrow("whole seconds");
    await expect(signWebhook(message(-1), [secret])).rejects.toThrow("whole seconds");
    await expect(signWebhook(message(), [])).rejects.toThrow("at least one secret");
  });
});

describe("webhook secrets", () => {
  it(`are whsec_ and the base64 of ${WEBHOOK_SECRET_BYTES} random bytes, different every time`, () => {
    const secrets = Array.from({ length: 50 }, newWebhookSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(bytesOf(secret)).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it("may be 24 to 64 bytes, as the spec allows; others are refused without being repeated", async () => {
    for (const length of [24, 25, 26, 63, 64]) {
      const secret = secretOf(length);
      expect(received(secret, body, await signWebhook(message(), [secret]))).toEqual(JSON.parse(body));
    }
    const refused = [
      secretOf(23),
      secretOf(65),
      secretOf(32).slice("whsec_".length),
      `whsk_${secretOf(32).slice("whsec_".length)}`,
      secretOf(32).replace("=", ""),
      `${secretOf(32).slice(0, 20)}!${secretOf(32).slice(21)}`,
      `${secretOf(32)} `,
    ];
    for (const secret of refused) {
      // The whole message: nothing of the secret is appended to what may reach a log.
      await expect(signWebhook(message(), [secret])).rejects.toThrowError(
        /^not a webhook secret: whsec_ and the base64 of 24 to 64 bytes$/,
      );
    }
  });
});

// Standard Webhooks signatures (https://www.standardwebhooks.com/): each delivery carries its id, the
// time of the attempt and an HMAC-SHA256 over `id.timestamp.body`, keyed with the endpoint's secret,
// so a receiver can tell that we sent exactly this body, for this event, lately. WebCrypto only.
//
// Rotation: while an endpoint changes secret, a delivery is signed with the old and the new one at
// once, space-separated in one header; a receiver accepts a delivery when any signature it can check
// matches, so it may switch secrets at any moment of the overlap.

const PREFIX = "whsec_";

/**
 * Bytes of randomness in a new secret. The spec allows 24 to 64; 32 is the output size of SHA-256,
 * the length RFC 2104 (section 3) recommends for an HMAC key: shorter weakens it, and longer adds
 * nothing, since the tag is 256 bits and keys past the 64-byte block are hashed down anyway.
 */
export const WEBHOOK_SECRET_BYTES = 32;

// A secret as signWebhook accepts it: the prefix, then padded base64 (of 24 to 64 bytes, checked decoded).
const SECRET = /^whsec_((?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
const SECRET_LENGTH = { min: 24, max: 64 };

/** A new endpoint secret: `whsec_` and the base64 of WEBHOOK_SECRET_BYTES random bytes. */
export function newWebhookSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(WEBHOOK_SECRET_BYTES)));
}

export type WebhookMessage = {
  /** The event's id: the same on every attempt, so the receiver can drop a repeat. */
  id: string;
  /** When this attempt is made, in whole seconds since the epoch. */
  timestamp: number;
  /** The body exactly as it is sent: a receiver checks these bytes, not a re-serialisation. */
  body: string;
};

export type WebhookHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/**
 * The headers that sign `message` with every secret given (the current one, and during a rotation
 * the other), each as `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 */
export async function signWebhook(message: WebhookMessage, secrets: string[]): Promise<WebhookHeaders> {
  const { id, timestamp, body } = message;
  // The spec asks that neither the id nor the timestamp can hold a dot, which would let one signed
  // content be read as another; and both travel as header values.
  if (!/^[\w-]{1,256}$/.test(id)) throw new Error("a webhook id is 1 to 256 letters, digits, _ or -");
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error("a webhook timestamp is whole seconds");
  if (secrets.length === 0) throw new Error("a webhook is signed with at least one secret");
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const mac = await crypto.subtle.sign("HMAC", await signingKey(secret), content);
      return `v1,${toBase64(new Uint8Array(mac))}`;
    }),
  );
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": signatures.join(" "),
  };
}

// Imported keys by secret, as src/lib/cursor.ts caches its key: kept as keys, not promises, so no
// delivery waits on work begun by another. Unlike the cursor's one server secret there is one secret
// per endpoint, so the cache is bounded: past the limit the key cached first is dropped, and a later
// delivery to it imports it again (microseconds).
const keys = new Map<string, CryptoKey>();
const CACHED_KEYS = 1000;

async function signingKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const encoded = SECRET.exec(secret)?.[1];
  const bytes = encoded === undefined ? undefined : fromBase64(encoded);
  if (!bytes || bytes.length < SECRET_LENGTH.min || bytes.length > SECRET_LENGTH.max) {
    // The secret itself stays out of the message, which may end up in a log line.
    throw new Error("not a webhook secret: whsec_ and the base64 of 24 to 64 bytes");
  }
  const key = await crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  if (keys.size >= CACHED_KEYS) keys.delete(keys.keys().next().value ?? "");
  keys.set(secret, key);
  return key;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

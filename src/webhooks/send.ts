import { version } from "../../package.json";
import { WEBHOOK_LIMITS } from "../db/schema";
import { type DestinationRules, refusedDestination } from "./destination";
import { signWebhook } from "./signature";

/** One try to reach a receiver, as the delivery log keeps it. */
export interface SendResult {
  ok: boolean;
  /** The receiver's HTTP status; null when none came. */
  status: number | null;
  durationMs: number;
  /** Why it failed, in words for the endpoint's owner; null when it did not, or the status says it. */
  error: string | null;
}

export interface Outgoing {
  url: string;
  /** The webhook-id: the same on every try of one event, so the receiver can drop repeats. */
  id: string;
  body: string;
  secrets: string[];
}

const USER_AGENT = `CloudNotes-Webhooks/${version}`;

/**
 * Signs and POSTs one event: the URL judged by the destination rules first (as they are now), no
 * redirect followed (a 3xx is a failure: a public receiver could otherwise point us anywhere), and
 * the receiver given timeoutMs to answer. Only a 2xx is success; its body is never read.
 */
export async function sendWebhook(outgoing: Outgoing, rules: DestinationRules): Promise<SendResult> {
  const refusal = refusedDestination(outgoing.url, rules);
  if (refusal) return { ok: false, status: null, durationMs: 0, error: `Refused destination: the URL ${refusal}.` };
  const headers = await signWebhook(
    { id: outgoing.id, timestamp: Math.floor(Date.now() / 1000), body: outgoing.body },
    outgoing.secrets,
  );
  const started = Date.now();
  try {
    const response = await fetch(outgoing.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": USER_AGENT },
      body: outgoing.body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_LIMITS.timeoutMs),
    });
    await response.body?.cancel();
    const ok = response.status >= 200 && response.status < 300;
    const redirected = response.status >= 300 && response.status < 400;
    return {
      ok,
      status: response.status,
      durationMs: Date.now() - started,
      error: redirected ? "Redirects are not followed: answer 2xx at this URL." : null,
    };
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return {
      ok: false,
      status: null,
      durationMs: Date.now() - started,
      error: timedOut
        ? `No answer within ${WEBHOOK_LIMITS.timeoutMs / 1000} s.`
        : `Unreachable: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Seconds before the next try after `tries` failed ones: 30 s doubling to at most 12 h (a queue's longest delay). */
export const retryDelaySeconds = (tries: number) => Math.min(30 * 2 ** (tries - 1), 12 * 60 * 60);

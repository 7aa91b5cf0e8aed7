import { encryptAes128gcm, MAX_PLAINTEXT_BYTES, type PushKeys } from "./encrypt";
import type { VapidKeys } from "./keys";
import { vapidAuthorization } from "./vapid";

export interface PushTarget {
  endpoint: string;
  keys: PushKeys;
}

export interface PushOptions {
  /** Seconds the push service may keep the message for an unreachable device (RFC 8030 §5.2). */
  ttl: number;
  urgency: "very-low" | "low" | "normal" | "high";
  /** Replaces an undelivered message with the same topic (RFC 8030 §5.4). */
  topic?: string;
}

export interface PushResult {
  /** The push service's answer: 201 accepted; 404 and 410 mean the subscription is gone. */
  status: number;
  /** From `Retry-After`, when the push service sent one (429, 503). */
  retryAfterMs?: number;
}

/** The subscription's keys cannot encrypt (not a P-256 point, wrong sizes): no retry can succeed. */
export class PushEncryptionError extends Error {
  override readonly name = "PushEncryptionError";
}

const TOPIC = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Encrypts, signs and POSTs one Web Push message. The endpoint is trusted:
 * checkPushEndpoint() vetted it when the subscription was stored.
 * Network failures reject, unusable keys reject with PushEncryptionError;
 * every HTTP answer resolves with its status.
 */
export async function sendWebPush(
  subscription: PushTarget,
  payload: object,
  vapid: VapidKeys,
  options: PushOptions,
): Promise<PushResult> {
  if (options.topic !== undefined && !TOPIC.test(options.topic)) {
    throw new Error("push topic must be 1 to 32 base64url characters");
  }
  const plaintext = new TextEncoder().encode(JSON.stringify(payload));
  // Our payload's fault, not the subscription's: checked apart from the keys.
  if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new Error(`push payload is ${plaintext.length} bytes, at most ${MAX_PLAINTEXT_BYTES}`);
  const body = await encryptAes128gcm(plaintext, subscription.keys).catch((err: unknown) => {
    throw new PushEncryptionError(err instanceof Error ? err.message : "encryption failed");
  });
  const headers: Record<string, string> = {
    Authorization: await vapidAuthorization(subscription.endpoint, vapid),
    TTL: String(Math.max(0, Math.floor(options.ttl))),
    Urgency: options.urgency,
    "Content-Encoding": "aes128gcm",
    "Content-Type": "application/octet-stream",
  };
  if (options.topic !== undefined) headers.Topic = options.topic;

  const res = await fetch(subscription.endpoint, { method: "POST", headers, body });
  await res.body?.cancel();
  const retryAfterMs = parseRetryAfter(res.headers.get("Retry-After"));
  return retryAfterMs === undefined ? { status: res.status } : { status: res.status, retryAfterMs };
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

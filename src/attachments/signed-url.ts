import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { toBase64Url } from "../accounts/encoding";
import type { FileVariant } from "../protocol";

/** Links are valid to the end of an hour, so one attachment's URL stays the same (and cacheable) for an hour. */
const ROUND_MS = 3600_000;

export interface UrlSigner {
  url(channelId: string, attachmentId: string, variant: FileVariant, now: number): string;
}

const encoder = new TextEncoder();

/**
 * HMAC-SHA256 over channel, attachment, variant and expiry. Synchronous
 * (@noble/hashes, not WebCrypto) because message views are built inside
 * storage transactions, which cannot await.
 */
function signature(key: Uint8Array, channelId: string, attachmentId: string, variant: FileVariant, expires: number): string {
  return toBase64Url(hmac(sha256, key, encoder.encode(`${channelId}\n${attachmentId}\n${variant}\n${expires}`)));
}

function keyBytes(secret: string): Uint8Array {
  if (!secret) throw new Error("ATTACHMENT_URL_KEY is not set");
  return encoder.encode(secret);
}

export function urlSigner(secret: string, ttlMs: number): UrlSigner {
  const key = keyBytes(secret);
  return {
    url(channelId, attachmentId, variant, now) {
      const expires = Math.ceil((now + ttlMs) / ROUND_MS) * ROUND_MS;
      const s = signature(key, channelId, attachmentId, variant, expires);
      return `/api/files/${channelId}/${attachmentId}/${variant}?e=${expires}&s=${s}`;
    },
  };
}

/** True when `s` was made by this key for exactly this attachment and variant, and `expires` has not passed. */
export function verifySignature(secret: string, channelId: string, attachmentId: string, variant: FileVariant, expires: number, s: string, now: number): boolean {
  if (expires <= now) return false;
  const want = signature(keyBytes(secret), channelId, attachmentId, variant, expires);
  // Constant time: the comparison must not tell how much of a forged signature was right.
  let diff = want.length ^ s.length;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ (s.charCodeAt(i) || 0);
  return diff === 0;
}

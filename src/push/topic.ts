import { toBase64Url } from "../accounts/encoding";

/** A label no signed id starts with, so a topic never equals an id's tag under the same key. */
const LABEL = "push-topic:";

/**
 * The Web Push `Topic` (RFC 8030 §5.4) of one recipient's pushes for one
 * channel (or one mention): an HMAC under the server's secret, cut to 32
 * base64url characters. The push service can coalesce by it, but cannot
 * hash channel ids to tell which channel it names, and two members of one
 * channel get different topics, so it cannot link who talks to whom.
 */
export async function pushTopic(key: CryptoKey, recipientId: string, channelId: string, seq?: number): Promise<string> {
  const text = [LABEL, recipientId, channelId, seq ?? ""].join("\0");
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return toBase64Url(new Uint8Array(mac, 0, 24));
}

import type { LocationHint } from "../placement/location-hint";
import { derivedBody, hintOf, mintId } from "../placement/signed-id";

/**
 * The one DM channel of a pair: its body is a keyed digest of both user ids,
 * so asking twice finds the same room and nobody without the key can name it.
 * It is placed in the home region of the member whose id sorts first: a
 * deterministic choice (either member may be the one asking), so the other
 * member, if far away, pays the distance (docs/capacity.md).
 */
export async function dmChannelId(key: CryptoKey, a: string, b: string): Promise<string> {
  const [x, y] = [a, b].sort() as [string, string];
  return mintId(key, "d", hintOf(x), await derivedBody(key, `dm:${x}:${y}`));
}

/** A new group, placed near the person creating it. */
export function groupChannelId(key: CryptoKey, hint: LocationHint | undefined): Promise<string> {
  return mintId(key, "g", hint);
}

/** The one encrypted DM of a pair: a room apart from their plaintext DM, placed the same way. */
export async function encryptedDmChannelId(key: CryptoKey, a: string, b: string): Promise<string> {
  const [x, y] = [a, b].sort() as [string, string];
  return mintId(key, "d", hintOf(x), await derivedBody(key, `e2ee-dm:${x}:${y}`));
}

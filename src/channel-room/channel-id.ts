import { randomBytes, sha256Hex, toBase64Url } from "../accounts/encoding";

/** The one DM channel of a pair: derived from both user ids, so asking twice finds the same room. */
export async function dmChannelId(a: string, b: string): Promise<string> {
  const [x, y] = [a, b].sort();
  return `d_${(await sha256Hex(`${x}:${y}`)).slice(0, 32)}`;
}

/** The one encrypted DM of a pair, apart from their plaintext one. */
export async function encryptedDmChannelId(a: string, b: string): Promise<string> {
  const [x, y] = [a, b].sort();
  return `e_${(await sha256Hex(`e2ee:${x}:${y}`)).slice(0, 32)}`;
}

export function groupChannelId(): string {
  return `g_${toBase64Url(randomBytes(16))}`;
}

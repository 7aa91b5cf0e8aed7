import type { LocationHint } from "../placement/location-hint";
import { mintId } from "../placement/signed-id";

/** A new user's id: signed, and carrying the region they signed up from, where their UserHub is placed. */
export function newUserId(key: CryptoKey, hint: LocationHint | undefined): Promise<string> {
  return mintId(key, "u", hint);
}

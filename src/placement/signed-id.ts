import { fromBase64Url, toBase64Url } from "../accounts/encoding";
import { isLocationHint, LOCATION_HINTS, type LocationHint } from "./location-hint";

/**
 * Ids of channels and users: `<kind>_<hint>_<body><tag>`. The hint is where the
 * object was placed at creation, so every later `get()` can pass it without a
 * lookup; the tag is an HMAC of everything before it under ID_SIGNING_KEY, so
 * the Worker refuses a made-up or altered id before it touches any object.
 * `any` stands for "no hint" (the platform did not say where the caller was).
 */
export type IdKind = "g" | "d" | "u";

const BODY_BYTES = 16; // 22 base64url characters
const TAG_BYTES = 12; // 16 characters: 96 bits, past any online guessing
const NO_HINT = "any";
export const SIGNED_ID = new RegExp(`^([gdu])_(${[...LOCATION_HINTS, NO_HINT].join("|")})_([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{16})$`);

const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key from the ID_SIGNING_KEY secret, imported once per isolate. */
export function idKey(env: { ID_SIGNING_KEY?: string }): Promise<CryptoKey> {
  const secret = env.ID_SIGNING_KEY;
  if (!secret) throw new Error("ID_SIGNING_KEY is not set (wrangler secret put ID_SIGNING_KEY; npm start writes a local one)");
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    keys.set(secret, key);
  }
  return key;
}

async function mac(key: CryptoKey, text: string, bytes: number): Promise<string> {
  const sig = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return toBase64Url(new Uint8Array(sig, 0, bytes));
}

/** A signed id; its body is random unless given (a DM's is derived from its pair). */
export async function mintId(key: CryptoKey, kind: IdKind, hint: LocationHint | undefined, body?: Uint8Array): Promise<string> {
  const raw = body ?? crypto.getRandomValues(new Uint8Array(BODY_BYTES));
  if (raw.length !== BODY_BYTES) throw new Error(`an id body is ${BODY_BYTES} bytes`);
  const head = `${kind}_${hint ?? NO_HINT}_${toBase64Url(raw)}`;
  return head + (await mac(key, head, TAG_BYTES));
}

/** A keyed digest of a text, as an id body: unguessable without the key, the same every time. */
export async function derivedBody(key: CryptoKey, text: string): Promise<Uint8Array> {
  return fromBase64Url(await mac(key, text, BODY_BYTES));
}

/** True only for an id this service minted, of one of the given kinds. Constant work whatever the input. */
export async function verifyId(key: CryptoKey, id: string, kinds: readonly IdKind[]): Promise<boolean> {
  const m = SIGNED_ID.exec(id);
  if (!m || !kinds.includes(m[1] as IdKind)) return false;
  const head = id.slice(0, id.length - m[4]!.length);
  const expected = await mac(key, head, TAG_BYTES);
  // Both are 16 characters; compare every one, so timing says nothing about a near miss.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ m[4]!.charCodeAt(i);
  return diff === 0;
}

/** The placement carried by an id; undefined for `any` and for ids of another shape (old test data). */
export function hintOf(id: string): LocationHint | undefined {
  const hint = SIGNED_ID.exec(id)?.[2];
  return hint && isLocationHint(hint) ? hint : undefined;
}

import { fromBase64Url, toBase64Url } from "../accounts/encoding";

/** VAPID keys as the service stores them: base64url, public = 65-byte uncompressed point, private = 32-byte d. */
/** Bytes backed by a plain ArrayBuffer, as WebCrypto and fetch want them. */
export type Bytes = Uint8Array<ArrayBuffer>;

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/**
 * Imports a P-256 private key from its raw public point and scalar d.
 * WebCrypto has no raw import for EC private keys, so it goes through a JWK.
 */
export function importP256PrivateKey(
  publicKey: Bytes,
  d: Bytes,
  algorithm: "ECDH" | "ECDSA",
): Promise<CryptoKey> {
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) throw new Error("P-256 public key must be a 65-byte uncompressed point");
  if (d.length !== 32) throw new Error("P-256 private key must be 32 bytes");
  const jwk: JsonWebKey = {
    kty: "EC",
    crv: "P-256",
    x: toBase64Url(publicKey.slice(1, 33)),
    y: toBase64Url(publicKey.slice(33, 65)),
    d: toBase64Url(d),
  };
  const usages: KeyUsage[] = algorithm === "ECDH" ? ["deriveBits"] : ["sign"];
  return crypto.subtle.importKey("jwk", jwk, { name: algorithm, namedCurve: "P-256" }, false, usages);
}

/** A fresh VAPID key pair, e.g. for `.dev.vars` or tests. */
export async function generateVapidKeys(subject: string): Promise<VapidKeys> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const publicKey = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
  const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { publicKey: toBase64Url(publicKey), privateKey: jwk.d!, subject };
}

export function decodeKey(text: string, bytes: number, what: string): Bytes {
  const raw = Uint8Array.from(fromBase64Url(text));
  if (raw.length !== bytes) throw new Error(`${what} must be ${bytes} bytes, got ${raw.length}`);
  return raw;
}

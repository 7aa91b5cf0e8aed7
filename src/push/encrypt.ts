import { fromBase64Url } from "../accounts/encoding";
import { decodeKey, type Bytes } from "./keys";

/*
 * RFC 8291 message encryption (aes128gcm, RFC 8188), on WebCrypto.
 *
 * Written here rather than taken from @block65/webcrypto-web-push 2.0.0: that
 * library refuses non-https endpoints inside vapidHeaders()/buildPushPayload()
 * (we must reach http://127.0.0.1 when PUSH_INSECURE_ENDPOINTS=true), and its
 * encryptNotification() draws salt and ephemeral keys internally, so the
 * RFC 8291 Appendix A vector cannot be checked against it.
 */

const RECORD_SIZE = 4096;
const HEADER_BYTES = 16 + 4 + 1 + 65;
/** A push service need only accept 4096 bytes of body: header, delimiter and GCM tag share them. */
export const MAX_PLAINTEXT_BYTES = 4096 - HEADER_BYTES - 1 - 16;

const text = new TextEncoder();

export interface PushKeys {
  /** The user agent's ECDH public key, base64url, 65-byte uncompressed point. */
  p256dh: string;
  /** The 16-byte authentication secret, base64url. */
  auth: string;
}

/** Fixed inputs, only for the RFC test vector; normal sends draw both at random. */
export interface EncryptOptions {
  salt?: Bytes;
  serverKeys?: { publicKey: Bytes; privateKey: CryptoKey };
}

/** Encrypts one push message into a single aes128gcm record with its 86-byte header. */
export async function encryptAes128gcm(
  plaintext: Bytes,
  keys: PushKeys,
  options: EncryptOptions = {},
): Promise<Bytes> {
  if (plaintext.length > MAX_PLAINTEXT_BYTES) {
    throw new Error(`push payload is ${plaintext.length} bytes, at most ${MAX_PLAINTEXT_BYTES}`);
  }
  const uaPublicRaw = decodeKey(keys.p256dh, 65, "p256dh");
  const authSecret = Uint8Array.from(fromBase64Url(keys.auth));
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(16));
  const server = options.serverKeys ?? (await ephemeralKeys());

  const uaPublic = await crypto.subtle.importKey("raw", uaPublicRaw, { name: "ECDH", namedCurve: "P-256" }, false, []);
  const ecdhSecret = await crypto.subtle.deriveBits({ name: "ECDH", public: uaPublic }, server.privateKey, 256);

  // RFC 8291 §3.4: IKM = HKDF(auth, ecdh, "WebPush: info" 0 ua_public as_public, 32)
  const keyInfo = concat(text.encode("WebPush: info\0"), uaPublicRaw, server.publicKey);
  const ikm = await hkdf(authSecret, new Uint8Array(ecdhSecret), keyInfo, 32);
  // RFC 8188 §2.2 and §2.3: content key and nonce from salt and IKM.
  const cek = await hkdf(salt, ikm, text.encode("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, text.encode("Content-Encoding: nonce\0"), 12);

  // One record, so it is the last: delimiter 0x02, no padding.
  const record = concat(plaintext, Uint8Array.of(0x02));
  const aesKey = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["encrypt"]);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, aesKey, record));

  const header = new Uint8Array(HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, RECORD_SIZE);
  header[20] = server.publicKey.length;
  header.set(server.publicKey, 21);
  return concat(header, sealed);
}

async function ephemeralKeys(): Promise<{ publicKey: Bytes; privateKey: CryptoKey }> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])) as CryptoKeyPair;
  const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { publicKey, privateKey: pair.privateKey };
}

async function hkdf(salt: Bytes, ikm: Bytes, info: Bytes, bytes: number): Promise<Bytes> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

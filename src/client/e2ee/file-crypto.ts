import { fromBase64, toBase64 } from "../../mls/bytes";

/** What an encrypted upload is to the server: bytes of no kind. */
export const SEALED_TYPE = "application/octet-stream";

/** A file encrypted for upload: its ciphertext, and the key and IV that travel inside the MLS message. */
export interface SealedBytes {
  data: Blob;
  key: string;
  iv: string;
}

/**
 * Encrypts a file with a fresh AES-256-GCM key (WebCrypto): one key per
 * file, so a message's key opens only its own files. GCM authenticates, so a
 * changed ciphertext fails to open rather than showing something else.
 * `alsoSeal` (a thumbnail) goes under the same key with its own IV.
 */
export async function sealFile(file: Blob, alsoSeal?: Blob): Promise<SealedBytes & { extra?: { data: Blob; iv: string } }> {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt"]);
  const encrypt = async (blob: Blob) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, await blob.arrayBuffer());
    return { data: new Blob([data], { type: SEALED_TYPE }), iv: toBase64(iv) };
  };
  const main = await encrypt(file);
  const raw = toBase64(new Uint8Array(await crypto.subtle.exportKey("raw", key)));
  return alsoSeal ? { ...main, key: raw, extra: await encrypt(alsoSeal) } : { ...main, key: raw };
}

/** The plaintext of a sealed file; throws when the key, IV or bytes are not the ones sealed. */
export async function openFile(ciphertext: ArrayBuffer, key: string, iv: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey("raw", new Uint8Array(fromBase64(key)), { name: "AES-GCM" }, false, ["decrypt"]);
  return crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(fromBase64(iv)) }, k, ciphertext);
}

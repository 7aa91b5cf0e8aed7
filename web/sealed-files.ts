import { rgbaToThumbHash } from "thumbhash";
import { openFile, sealFile, SEALED_TYPE, type SealedFile } from "../src/client/e2ee";
import { MAX_THUMBNAIL_BYTES, isImageType, type UploadedAttachment } from "../src/protocol";
import type { SealedAttachment } from "./e2ee-views";
import type { PreparedFile } from "./photo-prep";
import type { Uploader } from "./upload-queue";

/** What the server keeps as an encrypted file's name: the real one is inside the message. */
const PLACEHOLDER_NAME = "encrypted";
/** ThumbHash wants at most 100 px on the long side. */
const HASH_SIDE = 100;

/** An image's size and ThumbHash, read here: the server cannot read them from ciphertext. */
async function describe(file: Blob, thumbnail: Blob | undefined): Promise<Pick<SealedFile, "width" | "height" | "placeholder">> {
  if (!isImageType(file.type)) return {};
  try {
    const full = await createImageBitmap(file);
    const out: Pick<SealedFile, "width" | "height" | "placeholder"> = { width: full.width, height: full.height };
    const small = await createImageBitmap(thumbnail ?? full, { resizeWidth: Math.max(1, Math.round((full.width * HASH_SIDE) / Math.max(full.width, full.height))), resizeHeight: Math.max(1, Math.round((full.height * HASH_SIDE) / Math.max(full.width, full.height))) });
    full.close();
    const canvas = new OffscreenCanvas(small.width, small.height);
    const ctx = canvas.getContext("2d")!;
    ctx.drawImage(small, 0, 0);
    const { data } = ctx.getImageData(0, 0, small.width, small.height);
    out.placeholder = btoa(String.fromCharCode(...rgbaToThumbHash(small.width, small.height, data)));
    small.close();
    return out;
  } catch {
    return {}; // a file the browser cannot decode goes as a plain file
  }
}

/**
 * Encrypts a prepared file (and its thumbnail) under a fresh key and uploads
 * only ciphertext, as application/octet-stream under a placeholder name.
 * Answers the upload and the file's description for the message.
 */
export async function uploadSealed(o: PreparedFile & Pick<Parameters<Uploader>[0], "signal" | "onProgress">, put: Uploader): Promise<{ uploaded: UploadedAttachment; file: Omit<SealedFile, "id"> }> {
  const type = o.file.type || SEALED_TYPE;
  const info = await describe(o.file, o.thumbnail);
  // The GCM tag makes the thumbnail 16 bytes longer; one that would not fit is left out.
  const thumbnail = o.thumbnail && o.thumbnail.size + 16 <= MAX_THUMBNAIL_BYTES ? o.thumbnail : undefined;
  const sealed = await sealFile(o.file, thumbnail);
  const uploaded = await put({ file: sealed.data, name: PLACEHOLDER_NAME, ...(sealed.extra ? { thumbnail: sealed.extra.data } : {}), signal: o.signal, onProgress: o.onProgress });
  const file: Omit<SealedFile, "id"> = { name: o.name, type, size: o.file.size, ...info, key: sealed.key, iv: sealed.iv };
  if (sealed.extra && thumbnail) file.thumb = { iv: sealed.extra.iv, type: thumbnail.type };
  return { uploaded, file };
}

/** Decrypted parts by attachment id: each is fetched and opened once per page. */
const opened = new Map<string, Promise<string>>();

/** A page-local URL of the decrypted file or thumbnail of a sealed attachment. */
export function decryptedUrl(a: SealedAttachment, part: "file" | "thumb"): Promise<string> {
  const key = `${a.id}:${part}`;
  let url = opened.get(key);
  if (!url) {
    url = (async () => {
      const thumb = part === "thumb" ? a.sealed.thumb : undefined;
      const src = thumb && a.thumbnailUrl ? a.thumbnailUrl : a.url;
      const res = await fetch(src);
      if (!res.ok) throw new Error(`the file could not be fetched (${res.status})`);
      const plain = await openFile(await res.arrayBuffer(), a.sealed.key, thumb && a.thumbnailUrl ? thumb.iv : a.sealed.iv);
      return URL.createObjectURL(new Blob([plain], { type: thumb && a.thumbnailUrl ? thumb.type : a.type }));
    })();
    url.catch(() => opened.delete(key)); // a failure (offline) is tried again next time
    opened.set(key, url);
  }
  return url;
}

/** Downloads the decrypted file under its real name. */
export async function downloadSealed(a: SealedAttachment): Promise<void> {
  Object.assign(document.createElement("a"), { href: await decryptedUrl(a, "file"), download: a.name }).click();
}

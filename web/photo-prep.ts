import { MAX_THUMBNAIL_BYTES, THUMBNAIL_MAX_SIDE } from "../src/protocol";

/** Photos are sent at most this large on the long side unless "original" is ticked. */
export const PHOTO_MAX_SIDE = 2560;
/** Types a canvas decodes and re-encodes without losing anything people see (a GIF would lose its animation). */
const SCALABLE = ["image/jpeg", "image/png", "image/webp"];

export interface PreparedFile {
  file: Blob;
  name: string;
  /** Made here, so the Worker spends no CPU on it; absent for files that are not scalable photos. */
  thumbnail?: Blob;
}

/** `bitmap` drawn at most `max` px on its long side, as WebP (OffscreenCanvas where there is one). */
async function drawWithin(bitmap: ImageBitmap, max: number, quality: number): Promise<Blob> {
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const w = Math.max(1, Math.round(bitmap.width * scale));
  const h = Math.max(1, Math.round(bitmap.height * scale));
  if (typeof OffscreenCanvas !== "undefined") {
    const canvas = new OffscreenCanvas(w, h);
    canvas.getContext("2d")!.drawImage(bitmap, 0, 0, w, h);
    return canvas.convertToBlob({ type: "image/webp", quality });
  }
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, w, h);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("could not encode the image"))), "image/webp", quality));
}

/** `name` with the extension of `type` (a browser without a WebP encoder answers PNG). */
function renamed(name: string, type: string): string {
  const ext = type === "image/webp" ? "webp" : type === "image/png" ? "png" : "jpg";
  return `${name.replace(/\.[^.]*$/, "") || "photo"}.${ext}`;
}

/**
 * A file as the app uploads it. A photo gets a 320 px thumbnail, and is
 * scaled to 2560 px on the long side (WebP) unless `original`, unless it is
 * already within that, or unless scaling would not make it smaller.
 * Anything the browser cannot decode goes as it is (the server decides).
 */
export async function prepareFile(file: File, original: boolean): Promise<PreparedFile> {
  if (!SCALABLE.includes(file.type)) return { file, name: file.name };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { file, name: file.name };
  }
  try {
    const thumb = await drawWithin(bitmap, THUMBNAIL_MAX_SIDE, 0.8);
    // An oversized thumbnail would be refused; the Worker then makes one.
    const thumbnail = thumb.size <= MAX_THUMBNAIL_BYTES ? { thumbnail: thumb } : {};
    if (original || Math.max(bitmap.width, bitmap.height) <= PHOTO_MAX_SIDE) return { file, name: file.name, ...thumbnail };
    const scaled = await drawWithin(bitmap, PHOTO_MAX_SIDE, 0.9);
    if (scaled.size >= file.size) return { file, name: file.name, ...thumbnail };
    return { file: scaled, name: renamed(file.name, scaled.type), ...thumbnail };
  } finally {
    bitmap.close();
  }
}

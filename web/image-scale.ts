import { THUMBNAIL_MAX_SIDE } from "../src/protocol";

/** Photos are sent at most this large on the long side unless "original" is chosen. */
export const PHOTO_MAX_SIDE = 2560;
const SCALABLE = ["image/jpeg", "image/png", "image/webp"];

/** A decoded image drawn at most `max` px on its long side, as WebP. */
async function drawWithin(bitmap: ImageBitmap, max: number, quality: number): Promise<Blob> {
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  canvas.getContext("2d")!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("could not encode the image"))), "image/webp", quality));
}

export interface PreparedPhoto {
  file: Blob;
  name: string;
  thumbnail?: Blob;
}

/**
 * A photo as the app sends it: scaled to 2560 px as WebP (unless `original`,
 * or it is already small, or a GIF, whose animation a canvas would lose),
 * with a 320 px WebP thumbnail made here, so the Worker spends no CPU on it.
 */
export async function preparePhoto(file: File, original: boolean): Promise<PreparedPhoto> {
  if (!SCALABLE.includes(file.type)) return { file, name: file.name };
  const bitmap = await createImageBitmap(file);
  try {
    const thumbnail = await drawWithin(bitmap, THUMBNAIL_MAX_SIDE, 0.8);
    if (original || Math.max(bitmap.width, bitmap.height) <= PHOTO_MAX_SIDE) return { file, name: file.name, thumbnail };
    const scaled = await drawWithin(bitmap, PHOTO_MAX_SIDE, 0.9);
    return { file: scaled, name: file.name.replace(/\.[^.]*$/, "") + ".webp", thumbnail };
  } finally {
    bitmap.close();
  }
}

import { PhotonImage, resize, SamplingFilter } from "@cf-wasm/photon";
import { rgbaToThumbHash } from "thumbhash";
import { AppError } from "../errors";
import { THUMBNAIL_MAX_SIDE } from "../protocol";

/** ThumbHash takes at most 100x100 pixels. */
const PLACEHOLDER_MAX_SIDE = 100;
const JPEG_QUALITY = 80;

/** `width` x `height` scaled down (never up) to fit `max` on the long side. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

function decode(bytes: Uint8Array): PhotonImage {
  try {
    return PhotonImage.new_from_byteslice(bytes);
  } catch {
    throw new AppError("bad_request", "the image cannot be decoded");
  }
}

/** A ThumbHash (base64) of an image, from a copy scaled to fit 100x100. */
function placeholderOf(image: PhotonImage): string {
  const size = fitWithin(image.get_width(), image.get_height(), PLACEHOLDER_MAX_SIDE);
  const small = resize(image, size.width, size.height, SamplingFilter.Triangle);
  try {
    const hash = rgbaToThumbHash(size.width, size.height, small.get_raw_pixels());
    return btoa(String.fromCharCode(...hash));
  } finally {
    small.free();
  }
}

export interface Thumbnail {
  bytes: Uint8Array;
  type: "image/jpeg";
  placeholder: string;
}

/**
 * The Worker's thumbnail of an image: decoded with photon (WASM), scaled to
 * 320 px on the long side, as JPEG; and its placeholder. Costs about 0.5 to
 * 1.1 s of CPU for a 4000x3000 JPEG, hence MAX_SERVER_THUMBNAIL_PIXELS.
 */
export function makeThumbnail(bytes: Uint8Array): Thumbnail {
  const image = decode(bytes);
  try {
    const size = fitWithin(image.get_width(), image.get_height(), THUMBNAIL_MAX_SIDE);
    const thumb = resize(image, size.width, size.height, SamplingFilter.Triangle);
    try {
      return { bytes: thumb.get_bytes_jpeg(JPEG_QUALITY), type: "image/jpeg", placeholder: placeholderOf(thumb) };
    } finally {
      thumb.free();
    }
  } finally {
    image.free();
  }
}

/** Checks a client-made thumbnail decodes and fits 320 px; answers its placeholder. */
export function checkThumbnail(bytes: Uint8Array): { placeholder: string } {
  const image = decode(bytes);
  try {
    if (Math.max(image.get_width(), image.get_height()) > THUMBNAIL_MAX_SIDE) {
      throw new AppError("bad_request", `a thumbnail must fit ${THUMBNAIL_MAX_SIDE} px on its long side`);
    }
    return { placeholder: placeholderOf(image) };
  } finally {
    image.free();
  }
}

import type { Env } from "../env";
import { AppError, unwrap } from "../errors";
import { isImageType, MAX_SERVER_THUMBNAIL_PIXELS, type StoredInfo, type UploadedAttachment } from "../protocol";
import type { channelRoom } from "../channel-room/stub";
import { userHub } from "../user-hub/stub";
import { exactly, readExactly } from "./body";
import { imageInfo } from "./image-info";
import { attachmentKey, newAttachmentId } from "./keys";
import { makeThumbnail } from "./thumbnail";

export interface Upload {
  channelId: string;
  userId: string;
  name: string;
  /** The declared Content-Type, as a bare lower-case MIME type. */
  type: string;
  length: number;
  body: ReadableStream<Uint8Array> | null;
  /** False when the client promised its own thumbnail. */
  serverThumbnail: boolean;
}

/** A Content-Type header's bare MIME type, or application/octet-stream when it names none. */
export function mimeType(header: string | null): string {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(type) ? type : "application/octet-stream";
}

/**
 * Stores one upload: books it in the room (membership, the channel's quota)
 * and then in the uploader's hub (the quota across channels), streams the
 * bytes to R2, and only then marks it sendable. Anything that fails on the
 * way leaves the row expired, and the room's alarm deletes whatever reached
 * R2 and releases the booking.
 */
export async function receiveUpload(env: Env, room: ReturnType<typeof channelRoom>, u: Upload): Promise<UploadedAttachment> {
  const id = newAttachmentId();
  unwrap(await room.reserveUpload(u.userId, { id, name: u.name, type: u.type, size: u.length }));
  try {
    unwrap(await userHub(env, u.userId).reserveStorage(u.userId, u.channelId, id, u.length));
    const info = await store(env.ATTACHMENTS, id, u);
    return unwrap(await room.completeUpload(u.userId, id, info));
  } catch (err) {
    await room.abandonUpload(u.userId, id);
    throw err;
  }
}

async function store(bucket: R2Bucket, id: string, u: Upload): Promise<StoredInfo> {
  const key = attachmentKey(u.channelId, id);
  const httpMetadata = { contentType: u.type };
  const customMetadata = { name: u.name };
  if (!isImageType(u.type)) {
    const { stream, done, failed } = exactly(u.body, u.length);
    // A body of the wrong length fails the put; the length is the cause to report, not R2's broken pipe.
    const [piped, put] = await Promise.allSettled([done, bucket.put(key, stream, { httpMetadata, customMetadata })]);
    const failure = failed();
    if (failure) throw failure;
    if (piped.status === "rejected") throw piped.reason;
    if (put.status === "rejected") throw put.reason;
    return {};
  }
  // Images are checked before anything is stored: the bytes must be the image the type says.
  const bytes = await readExactly(u.body, u.length);
  const image = imageInfo(bytes);
  if (!image || image.type !== u.type) throw new AppError("bad_request", `the file is not a ${u.type.slice(6).toUpperCase()} image`);
  const thumb = u.serverThumbnail && image.width * image.height <= MAX_SERVER_THUMBNAIL_PIXELS ? makeThumbnail(bytes) : undefined;
  await bucket.put(key, bytes, { httpMetadata, customMetadata });
  const info: StoredInfo = { width: image.width, height: image.height };
  if (thumb) {
    await bucket.put(attachmentKey(u.channelId, id, "thumb"), thumb.bytes, { httpMetadata: { contentType: thumb.type } });
    info.thumbType = thumb.type;
    info.placeholder = thumb.placeholder;
  }
  return info;
}

import type { Env } from "../env";
import { AppError, unwrap } from "../errors";
import { THUMBNAIL_TYPES } from "../protocol";
import type { channelRoom } from "../channel-room/stub";
import { readExactly } from "./body";
import { imageInfo } from "./image-info";
import { attachmentKey } from "./keys";
import { checkThumbnail } from "./thumbnail";

export interface ThumbnailUpload {
  channelId: string;
  attachmentId: string;
  userId: string;
  type: string;
  length: number;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * A client-made thumbnail for the caller's own unsent upload: it must be a
 * JPEG, PNG or WebP that decodes and fits 320 px; in an end-to-end encrypted
 * channel it is ciphertext (application/octet-stream) the server cannot
 * check, and has no placeholder. Ownership is checked before the bytes
 * reach R2, so nobody overwrites another's thumbnail.
 */
export async function receiveThumbnail(env: Env, room: ReturnType<typeof channelRoom>, t: ThumbnailUpload): Promise<void> {
  const sealed = t.type === "application/octet-stream";
  if (!sealed && !(THUMBNAIL_TYPES as readonly string[]).includes(t.type)) throw new AppError("bad_request", `a thumbnail must be one of ${THUMBNAIL_TYPES.join(", ")}`);
  const { encrypted } = unwrap(await room.checkUnsent(t.userId, t.attachmentId));
  if (encrypted !== sealed) {
    throw new AppError("bad_request", encrypted ? "in an end-to-end encrypted channel a thumbnail is encrypted: send it as application/octet-stream" : `a thumbnail must be one of ${THUMBNAIL_TYPES.join(", ")}`);
  }
  const bytes = await readExactly(t.body, t.length);
  let placeholder: string | null = null;
  if (!sealed) {
    if (imageInfo(bytes)?.type !== t.type) throw new AppError("bad_request", `the thumbnail is not a ${t.type.slice(6).toUpperCase()} image`);
    placeholder = checkThumbnail(bytes).placeholder;
  }
  await env.ATTACHMENTS.put(attachmentKey(t.channelId, t.attachmentId, "thumb"), bytes, { httpMetadata: { contentType: t.type } });
  unwrap(await room.setThumbnail(t.userId, t.attachmentId, t.type, placeholder));
}

import { randomBytes, toBase64Url } from "../accounts/encoding";
import type { FileVariant } from "../protocol";

/** Where an attachment's bytes live in R2: one prefix per channel, so a channel's files can be listed and purged together. */
export function attachmentKey(channelId: string, attachmentId: string, variant: FileVariant = "file"): string {
  return `channels/${channelId}/${attachmentId}${variant === "thumb" ? ".thumb" : ""}`;
}

/** 16 random bytes, base64url (AttachmentIdSchema). */
export function newAttachmentId(): string {
  return toBase64Url(randomBytes(16));
}

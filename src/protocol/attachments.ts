import * as v from "valibot";
import { WellFormed } from "./fields";
import { MAX_ATTACHMENT_NAME_CHARS, MAX_ATTACHMENTS_PER_MESSAGE } from "./limits";

/** The image types that are shown inline and get thumbnails; every other type is downloaded as a file. */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp", "image/gif"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export function isImageType(type: string): type is ImageType {
  return (IMAGE_TYPES as readonly string[]).includes(type);
}
/** Types a client-made thumbnail may have. */
export const THUMBNAIL_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

/** 16 random bytes, base64url. */
export const AttachmentIdSchema = v.pipe(v.string("attachment ids must be strings"), v.regex(/^[A-Za-z0-9_-]{22}$/, "not an attachment id"));
export const AttachmentIdsSchema = v.pipe(
  v.array(AttachmentIdSchema, "attachments must be an array of attachment ids"),
  v.maxLength(MAX_ATTACHMENTS_PER_MESSAGE, `a message carries at most ${MAX_ATTACHMENTS_PER_MESSAGE} attachments`),
  v.check((ids) => new Set(ids).size === ids.length, "attachments must not repeat an id"),
);

/** A file name as shown to people: no control characters, no path. */
export const AttachmentNameSchema = v.pipe(
  v.string("name is required"),
  WellFormed,
  v.trim(),
  v.minLength(1, `name must be 1 to ${MAX_ATTACHMENT_NAME_CHARS} characters`),
  v.maxLength(MAX_ATTACHMENT_NAME_CHARS, `name must be 1 to ${MAX_ATTACHMENT_NAME_CHARS} characters`),
  v.regex(/^[^\p{Cc}/\\]+$/u, "name must not contain control characters or slashes"),
);

/** `POST /channels/:id/attachments?name=`; `thumbnail=client` promises a client-made thumbnail, so the Worker makes none. */
export const UploadQuery = v.object({ name: AttachmentNameSchema, thumbnail: v.optional(v.literal("client", "thumbnail must be \"client\"")) });

/** What an upload answers: the attachment, before any message carries it (so without URLs). */
export const UploadedAttachmentSchema = v.object({
  id: v.string(),
  name: v.string(),
  type: v.string(),
  size: v.number(),
  width: v.optional(v.number()),
  height: v.optional(v.number()),
});
export type UploadedAttachment = v.InferOutput<typeof UploadedAttachmentSchema>;
export const UploadResponse = v.object({ attachment: UploadedAttachmentSchema });

/** An attachment as messages carry it: signed, expiring, relative URLs an `<img>` can load without headers. */
export const AttachmentSchema = v.object({
  ...UploadedAttachmentSchema.entries,
  url: v.string(),
  thumbnailUrl: v.optional(v.string()),
  /** A ThumbHash (base64) of the image, to paint before it loads. */
  placeholder: v.optional(v.string()),
});
export type Attachment = v.InferOutput<typeof AttachmentSchema>;

/** `GET /api/files/:channelId/:attachmentId/:variant?e=&s=`: the signed download. */
export const FileParam = v.object({
  channelId: v.string(),
  attachmentId: AttachmentIdSchema,
  variant: v.picklist(["file", "thumb"]),
});
export type FileVariant = v.InferOutput<typeof FileParam>["variant"];
export const FileQuery = v.object({
  e: v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)),
  s: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/)),
});

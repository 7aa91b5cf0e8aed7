import * as v from "valibot";
import { AttachmentIdSchema, AttachmentNameSchema, EmojiSchema, MAX_ATTACHMENTS_PER_MESSAGE, MessageBodySchema, SendTextSchema } from "../../protocol";

/**
 * What travels inside an MLS application message: the words, and the edits,
 * deletes, reactions, replies and mentions the server must not see. The
 * server learns only that a change names message `seq` (its `changeOf`).
 */
/**
 * A file of an encrypted message: what the server must not learn (name,
 * type, image size, placeholder) and the key that opens its upload `id`.
 */
export const SealedFile = v.object({
  id: AttachmentIdSchema,
  name: AttachmentNameSchema,
  type: v.pipe(v.string(), v.maxLength(255)),
  /** Of the plaintext; the upload is 16 bytes longer (the GCM tag). */
  size: v.number(),
  width: v.optional(v.number()),
  height: v.optional(v.number()),
  /** AES-256-GCM, base64 of the raw key and of the 12-byte IV. */
  key: v.string(),
  iv: v.string(),
  /** The thumbnail, under the same key with its own IV. */
  thumb: v.optional(v.object({ iv: v.string(), type: v.string() })),
  /** ThumbHash of the image, base64, painted until the thumbnail opens. */
  placeholder: v.optional(v.string()),
});
export type SealedFile = v.InferOutput<typeof SealedFile>;

export const SealedContent = v.pipe(
  v.variant("type", [
    v.object({
      type: v.literal("text"),
      body: SendTextSchema,
      replyTo: v.optional(v.number()),
      mentions: v.optional(v.array(v.string())),
      files: v.optional(v.pipe(v.array(SealedFile), v.maxLength(MAX_ATTACHMENTS_PER_MESSAGE))),
    }),
    v.object({ type: v.literal("edit"), seq: v.number(), body: MessageBodySchema }),
    v.object({ type: v.literal("delete"), seq: v.number() }),
    v.object({ type: v.literal("react"), seq: v.number(), emoji: EmojiSchema, on: v.boolean() }),
  ]),
  // As in a plaintext send: the words may be empty only when files go.
  v.check((c) => c.type !== "text" || c.body.trim().length > 0 || (c.files?.length ?? 0) > 0, "body must not be empty"),
);
export type SealedContent = v.InferOutput<typeof SealedContent>;

/** The message an edit, delete or reaction changes, for the server's `changeOf`. */
export function changeOf(content: SealedContent): number | undefined {
  return content.type === "text" ? undefined : content.seq;
}

export function sealContent(content: SealedContent): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(v.parse(SealedContent, content)));
}

/** Decrypted bytes as content, or undefined when they are not (a peer on another version, or tampering). */
export function openContent(bytes: Uint8Array): SealedContent | undefined {
  try {
    const r = v.safeParse(SealedContent, JSON.parse(new TextDecoder().decode(bytes)));
    return r.success ? r.output : undefined;
  } catch {
    return undefined;
  }
}

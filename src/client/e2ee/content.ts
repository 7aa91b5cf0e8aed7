import * as v from "valibot";
import { EmojiSchema, MessageBodySchema } from "../../protocol";

/**
 * What travels inside an MLS application message: the words, and the edits,
 * deletes, reactions, replies and mentions the server must not see. The
 * server learns only that a change names message `seq` (its `changeOf`).
 */
export const SealedContent = v.variant("type", [
  v.object({ type: v.literal("text"), body: MessageBodySchema, replyTo: v.optional(v.number()), mentions: v.optional(v.array(v.string())) }),
  v.object({ type: v.literal("edit"), seq: v.number(), body: MessageBodySchema }),
  v.object({ type: v.literal("delete"), seq: v.number() }),
  v.object({ type: v.literal("react"), seq: v.number(), emoji: EmojiSchema, on: v.boolean() }),
]);
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

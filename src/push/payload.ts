import { messagePreview, PUSH_PREVIEW_CHARS, type Message } from "../protocol";

/** What a device's service worker receives for a new message (docs/protocol.md, Web Push). */
export interface PushPayload {
  type: "message";
  channelId: string;
  seq: number;
  senderId: string;
  preview: string;
  /** Set when the message mentions the recipient: such pushes are never coalesced. */
  mention?: true;
}

/**
 * The push payload of a message. The preview counts code points, so it never
 * ends in half a surrogate pair; 100 of them stay far below the 4 KiB limit.
 */
export function pushPayload(message: Pick<Message, "channelId" | "seq" | "senderId" | "body"> & { attachments?: { name: string; type: string }[] }): PushPayload {
  return {
    type: "message",
    channelId: message.channelId,
    seq: message.seq,
    senderId: message.senderId,
    preview: Array.from(messagePreview(message)).slice(0, PUSH_PREVIEW_CHARS).join(""),
  };
}

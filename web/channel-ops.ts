import { useEffect, useMemo, useState } from "preact/hooks";
import type { ChannelConnection, Message } from "../src/client";
import type { ChatSession } from "./chat-session";
import type { Conversation } from "./encryption";

/**
 * What the channel screen does to messages, the same for both kinds of
 * channel: a plaintext channel goes through its connection (outbox, HTTP),
 * an encrypted one through MLS (src/client/e2ee), whose edits, deletes and
 * reactions travel inside the ciphertext and whose search is local.
 */
export interface ChannelOps {
  send(body: string, replyTo?: number, attachments?: string[]): void;
  edit(seq: number, body: string): Promise<unknown>;
  delete(seq: number): Promise<unknown>;
  react(seq: number, emoji: string, on: boolean): Promise<unknown>;
  search(q: string): Promise<Message[]>;
  messageAt(seq: number): Message | undefined;
}

export function channelOps(conn: ChannelConnection, c: Conversation | null, onSendError: (err: unknown) => void): ChannelOps {
  if (!c) return { send: (b, r, a) => void conn.send(b, r, a), edit: (s, b) => conn.edit(s, b), delete: (s) => conn.delete(s), react: (s, e, on) => conn.react(s, e, on), search: (q) => conn.search(q), messageAt: (s) => conn.messageAt(s) };
  return {
    // Files were encrypted when they uploaded (Conversation.upload); their keys go inside the message.
    send: (body, replyTo, attachments) => void c.send(body, replyTo, conn.members.peek(), attachments).catch(onSendError),
    edit: (seq, body) => c.edit(seq, body),
    delete: (seq) => c.delete(seq),
    react: (seq, emoji, on) => c.react(seq, emoji, on),
    search: async (q) => c.search(q),
    messageAt: (seq) => c.views.peek().get(seq) ?? conn.messageAt(seq),
  };
}

/**
 * The Conversation of an encrypted channel (null for a plaintext one, and
 * while it loads); it reads on whenever the room has something past what
 * this device processed.
 */
export function useConversation(session: ChatSession, conn: ChannelConnection, encrypted: boolean): Conversation | null {
  const [c, setC] = useState<Conversation | null>(null);
  useEffect(() => {
    if (!encrypted) return;
    let live = true;
    void session.e2ee.conversation(conn.channelId).then((got) => {
      if (!live) return;
      setC(got);
      got.sync().catch(() => undefined);
    });
    return () => void (live = false);
  }, [conn, encrypted]);
  const newest = conn.messages.value.at(-1)?.seq ?? 0;
  useEffect(() => {
    // A failed read (offline, or removed: the socket's close says so) is retried by the next message.
    if (c && newest > c.processed.peek()) c.sync().catch(() => undefined);
  }, [c, newest]);
  return c;
}

/** One ops object per channel and conversation, so rows re-render only when their own props change. */
export function useChannelOps(conn: ChannelConnection, c: Conversation | null, onSendError: (err: unknown) => void): ChannelOps {
  return useMemo(() => channelOps(conn, c, onSendError), [conn, c]);
}

import type { Message } from "../src/client";
import type { Attachment, Reaction } from "../src/protocol";
import type { SealedContent, SealedFile } from "../src/client/e2ee";

/**
 * A file of an encrypted message as the timeline shows it: what the sender
 * sealed (name, type, size, key), and the server's signed URLs of its
 * ciphertext, which message-attachments fetches and decrypts.
 */
export interface SealedAttachment extends Attachment {
  sealed: Pick<SealedFile, "key" | "iv" | "thumb">;
}

export function isSealed(a: Attachment): a is SealedAttachment {
  return "sealed" in a;
}

/** A sealed file before the server's URLs are known (they are signed for a while, so never stored). */
function sealedView(f: SealedFile): SealedAttachment {
  const a: SealedAttachment = { id: f.id, name: f.name, type: f.type, size: f.size, url: "", sealed: { key: f.key, iv: f.iv, ...(f.thumb ? { thumb: f.thumb } : {}) } };
  if (f.width !== undefined) a.width = f.width;
  if (f.height !== undefined) a.height = f.height;
  if (f.placeholder !== undefined) a.placeholder = f.placeholder;
  return a;
}

/** The sealed files with the URLs of the stored message; a file the server no longer holds is not shown. */
function withUrls(view: Message, stored: Message): Message {
  if (!view.attachments?.length) return view;
  const urls = new Map((stored.attachments ?? []).map((a) => [a.id, a]));
  const attachments = view.attachments.flatMap((a) => {
    const at = urls.get(a.id);
    if (!at) return [];
    const { thumbnailUrl: _t, ...rest } = a;
    return [{ ...rest, url: at.url, ...(at.thumbnailUrl && isSealed(a) && a.sealed.thumb ? { thumbnailUrl: at.thumbnailUrl } : {}) }];
  });
  return { ...view, attachments };
}

/**
 * What this device decrypted in an encrypted channel, as messages the
 * timeline can show: per seq of a text message, its current version (edits,
 * deletes and reactions applied). The ratchet opens each message once, so
 * this is the only copy of the words; it lives in the device's sealed store.
 */
export type Views = Map<number, Message>;

/**
 * Applies one decrypted message. Only the sender of a message may edit or
 * delete it (the server cannot check what it cannot read), and a change must
 * name the seq its `changeOf` told the server. Returns the seq whose view
 * changed, if any.
 */
export function applyContent(views: Views, message: Message, content: SealedContent): number | undefined {
  const { mls: _ciphertext, ...base } = message;
  if (content.type === "text") {
    const view: Message = { ...base, body: content.body };
    if (content.replyTo !== undefined) view.replyTo = content.replyTo;
    if (content.mentions?.length) view.mentions = content.mentions;
    if (content.files?.length) view.attachments = content.files.map(sealedView);
    else delete view.attachments;
    views.set(message.seq, view);
    return message.seq;
  }
  const target = views.get(content.seq);
  if (!target || target.deleted || message.mls?.changeOf !== content.seq) return undefined;
  if (content.type === "react") {
    views.set(content.seq, { ...target, reactions: react(target.reactions ?? [], content.emoji, message.senderId, content.on) });
    return content.seq;
  }
  if (target.senderId !== message.senderId) return undefined;
  if (content.type === "edit") views.set(content.seq, { ...target, body: content.body, editedAt: message.createdAt });
  else {
    const { reactions: _r, mentions: _m, replyTo: _q, editedAt: _e, attachments: _a, ...rest } = target;
    views.set(content.seq, { ...rest, body: "", deleted: true });
  }
  return content.seq;
}

function react(reactions: readonly Reaction[], emoji: string, userId: string, on: boolean): Reaction[] {
  const out = reactions.map((r) => (r.emoji === emoji ? { emoji, userIds: r.userIds.filter((u) => u !== userId) } : r));
  if (on) {
    const at = out.find((r) => r.emoji === emoji);
    if (at) at.userIds.push(userId);
    else out.push({ emoji, userIds: [userId] });
  }
  return out.filter((r) => r.userIds.length > 0);
}

/**
 * The channel's held messages as this device shows them: commits and changes
 * (edits, reactions) are not rows; a message it decrypted shows its words; one
 * it processed without words (sent before it joined, after it left, or
 * unreadable) stays as stored, `body: ""` with its `mls`, which the row shows
 * as undecryptable. Messages past `processed` are not shown until read.
 */
export function decryptedTimeline(raw: readonly Message[], views: ReadonlyMap<number, Message>, processed: number): Message[] {
  const out: Message[] = [];
  for (const m of raw) {
    if (m.mls && (m.mls.kind === "commit" || m.mls.changeOf !== undefined)) continue;
    const view = views.get(m.seq);
    if (view) out.push(withUrls(view, m));
    else if (m.seq <= processed || !m.mls) out.push(m);
  }
  return out;
}

export const UNDECRYPTABLE = "This message cannot be decrypted on this device: it was sent before this device joined the conversation, or after it left.";

/** A stored message of an encrypted channel that this device could not decrypt. */
export function isUndecryptable(m: Message): boolean {
  return m.mls !== undefined && m.body === "" && !m.deleted;
}

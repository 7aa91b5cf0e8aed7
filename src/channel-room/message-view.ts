import { asc } from "drizzle-orm";
import { REPLY_PREVIEW_CHARS, type Message, type Reaction, type ReplyPreview, type TimelineEvent } from "../protocol";
import type { MessageRow, RoomDb } from "./room-db";
import { mentions, messages, reactions } from "./schema";
import { inList } from "./seq-list";
import { attachmentsOf } from "./attachments";

/** A stored row as the protocol's Message, without what lives in other tables. */
export function toMessage(channelId: string, row: MessageRow): Message {
  const m: Message = {
    id: row.id,
    seq: row.seq,
    channelId,
    senderId: row.senderId,
    body: row.deleted ? "" : row.body,
    clientMsgId: row.clientMsgId,
    createdAt: row.createdAt,
    rev: row.rev,
  };
  if (row.editedAt !== null) m.editedAt = row.editedAt;
  if (row.deleted) m.deleted = true;
  if (row.replyTo !== null) m.replyTo = row.replyTo;
  // Written by appendEvent from a TimelineEvent: the room's own JSON.
  if (row.event !== null) m.event = JSON.parse(row.event) as TimelineEvent;
  if (row.mlsKind !== null && row.mlsData !== null && row.epoch !== null) {
    m.mls = { kind: row.mlsKind, epoch: row.epoch, data: row.mlsData };
    if (row.changeOf !== null) m.mls.changeOf = row.changeOf;
  }
  return m;
}

/**
 * Rows as full Messages: reactions, mentions, attachments and the quoted preview of what a
 * reply answers, each read in one query for the whole list. Empty lists are
 * left out, so a plain message looks the same wherever it is read.
 */
export function toMessages(db: RoomDb, channelId: string, rows: MessageRow[]): Message[] {
  if (rows.length === 0) return [];
  const seqs = rows.map((r) => r.seq);
  const reacted = groupReactions(
    db.select().from(reactions).where(inList(reactions.seq, seqs)).orderBy(asc(reactions.createdAt), asc(reactions.emoji), asc(reactions.userId)).all(),
  );
  const mentioned = new Map<number, string[]>();
  for (const r of db.select().from(mentions).where(inList(mentions.seq, seqs)).orderBy(asc(mentions.userId)).all()) {
    mentioned.set(r.seq, [...(mentioned.get(r.seq) ?? []), r.userId]);
  }
  const files = attachmentsOf(db, channelId, seqs);
  const quoted = previews(db, [...new Set(rows.flatMap((r) => (r.replyTo === null ? [] : [r.replyTo])))]);
  return rows.map((row) => {
    const m = toMessage(channelId, row);
    const preview = row.replyTo === null ? undefined : quoted.get(row.replyTo);
    if (preview) m.replyPreview = preview;
    const who = mentioned.get(row.seq);
    if (who) m.mentions = who;
    const r = reacted.get(row.seq);
    if (r) m.reactions = r;
    const f = files.get(row.seq);
    if (f) m.attachments = f;
    return m;
  });
}

export function toOneMessage(db: RoomDb, channelId: string, row: MessageRow): Message {
  return toMessages(db, channelId, [row])[0]!;
}

/** Per message, its emoji in order of first use, each with its reactors in order. */
function groupReactions(rows: { seq: number; emoji: string; userId: string }[]): Map<number, Reaction[]> {
  const out = new Map<number, Reaction[]>();
  for (const r of rows) {
    const list = out.get(r.seq) ?? [];
    const entry = list.find((x) => x.emoji === r.emoji);
    if (entry) entry.userIds.push(r.userId);
    else list.push({ emoji: r.emoji, userIds: [r.userId] });
    out.set(r.seq, list);
  }
  return out;
}

function previews(db: RoomDb, seqs: number[]): Map<number, ReplyPreview> {
  if (seqs.length === 0) return new Map();
  const rows = db
    .select({ seq: messages.seq, senderId: messages.senderId, body: messages.body, deleted: messages.deleted })
    .from(messages)
    .where(inList(messages.seq, seqs))
    .all();
  return new Map(
    rows.map((r) => [
      r.seq,
      r.deleted
        ? { seq: r.seq, senderId: r.senderId, body: "", deleted: true as const }
        : { seq: r.seq, senderId: r.senderId, body: Array.from(r.body).slice(0, REPLY_PREVIEW_CHARS).join("") },
    ]),
  );
}

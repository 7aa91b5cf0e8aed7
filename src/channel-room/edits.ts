import { and, asc, eq, gt, lte } from "drizzle-orm";
import { AppError } from "../errors";
import { MAX_REACTIONS_PER_MESSAGE, type ChangeKind, type ChangesPage, type Message } from "../protocol";
import { resolveMentions, setMentions } from "./mentions";
import { getMessage } from "./messages";
import { toMessages, toOneMessage } from "./message-view";
import { recordChange, requireMember, requireMeta, type MessageRow, type RoomDb } from "./room-db";
import { releaseAttachments } from "./attachments";
import { mentions, messages, reactions } from "./schema";

export interface Change {
  change: ChangeKind;
  message: Message;
  /** False for a no-op (same body, already deleted, reaction already so): nothing to broadcast. */
  changed: boolean;
}

/** A message of this channel, seen by a member: 404 for a non-member or an unknown seq. */
function requireMessage(db: RoomDb, userId: string, seq: number): MessageRow {
  requireMember(db, userId);
  const row = getMessage(db, seq);
  if (!row) throw new AppError("not_found", "no such message");
  if (row.event !== null) throw new AppError("conflict", "a timeline line cannot be edited, deleted or reacted to");
  return row;
}

function requireAuthor(row: MessageRow, userId: string, verb: string): void {
  if (row.senderId !== userId) throw new AppError("forbidden", `only its author can ${verb} a message`);
}

function requireLive(row: MessageRow): void {
  if (row.deleted) throw new AppError("conflict", "the message was deleted");
}

function reread(db: RoomDb, channelId: string, seq: number): Message {
  return toOneMessage(db, channelId, getMessage(db, seq)!);
}

/** The author replaces the body; mentions follow the new text. Call inside one storage transaction. */
export function editMessage(db: RoomDb, userId: string, seq: number, body: string, now: number): Change {
  const channelId = requireMeta(db).channelId;
  const row = requireMessage(db, userId, seq);
  requireAuthor(row, userId, "edit");
  requireLive(row);
  if (row.body === body) return { change: "edit", message: toOneMessage(db, channelId, row), changed: false };
  const rev = recordChange(db, { kind: "edit", seq }, now);
  db.update(messages).set({ body, editedAt: now, rev }).where(eq(messages.seq, seq)).run();
  setMentions(db, seq, resolveMentions(db, body));
  return { change: "edit", message: reread(db, channelId, seq), changed: true };
}

/**
 * The author deletes: a tombstone keeps seq, id, sender, clientMsgId and
 * time (so history has no gaps and a retried send still finds it); the body,
 * reply link, mentions and reactions are erased. Deleting twice is a no-op.
 */
export function deleteMessage(db: RoomDb, userId: string, seq: number, now: number): Change {
  const channelId = requireMeta(db).channelId;
  const row = requireMessage(db, userId, seq);
  requireAuthor(row, userId, "delete");
  if (row.deleted) return { change: "delete", message: toOneMessage(db, channelId, row), changed: false };
  const rev = recordChange(db, { kind: "edit", seq }, now);
  db.update(messages).set({ body: "", deleted: true, editedAt: null, replyTo: null, rev }).where(eq(messages.seq, seq)).run();
  db.delete(mentions).where(eq(mentions.seq, seq)).run();
  db.delete(reactions).where(eq(reactions.seq, seq)).run();
  releaseAttachments(db, seq, now);
  return { change: "delete", message: reread(db, channelId, seq), changed: true };
}

/** Any member toggles their `emoji` on a message, or sets it with `on`. */
export function react(db: RoomDb, userId: string, seq: number, emoji: string, on: boolean | undefined, now: number): Change {
  const channelId = requireMeta(db).channelId;
  const row = requireMessage(db, userId, seq);
  requireLive(row);
  const mine = and(eq(reactions.seq, seq), eq(reactions.emoji, emoji), eq(reactions.userId, userId));
  const has = db.select({ seq: reactions.seq }).from(reactions).where(mine).get() !== undefined;
  const want = on ?? !has;
  if (want === has) return { change: "reaction", message: toOneMessage(db, channelId, row), changed: false };
  if (want) {
    assertRoomForEmoji(db, seq, emoji);
    db.insert(reactions).values({ seq, emoji, userId, createdAt: now }).run();
  } else {
    db.delete(reactions).where(mine).run();
  }
  const rev = recordChange(db, { kind: "reaction", seq }, now);
  db.update(messages).set({ rev }).where(eq(messages.seq, seq)).run();
  return { change: "reaction", message: reread(db, channelId, seq), changed: true };
}

/** A new emoji on a message that already carries the most distinct ones is refused. */
function assertRoomForEmoji(db: RoomDb, seq: number, emoji: string): void {
  const used = db.selectDistinct({ emoji: reactions.emoji }).from(reactions).where(eq(reactions.seq, seq)).all();
  if (used.length >= MAX_REACTIONS_PER_MESSAGE && !used.some((u) => u.emoji === emoji)) {
    throw new AppError("conflict", `a message carries at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`);
  }
}


/**
 * The change cursor: messages whose rev passed `after` (edited, deleted,
 * reacted to, or new), oldest change first, optionally only up to seq
 * `through` (what the device already holds; newer ones come from history).
 */
export function changesSince(db: RoomDb, userId: string, after: number, through: number | undefined, limit: number): ChangesPage {
  const meta = requireMeta(db);
  requireMember(db, userId);
  const rows = db
    .select()
    .from(messages)
    .where(through === undefined ? gt(messages.rev, after) : and(gt(messages.rev, after), lte(messages.seq, through)))
    .orderBy(asc(messages.rev))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { messages: toMessages(db, meta.channelId, page), rev: hasMore ? page.at(-1)!.rev : meta.rev, hasMore };
}


import { eq } from "drizzle-orm";
import type { Summary } from "../protocol";
import { currentCursor, moveCursor } from "./cursors";
import { countUnread } from "./messages";
import { countMentions } from "./mentions";
import { toOneMessage } from "./message-view";
import { toChannel } from "./membership";
import { lastMessage, recordChange, requireMember, type MemberRow, type RoomDb } from "./room-db";
import { members } from "./schema";

/**
 * Moves a member's read marker forward, clamped to the last seq; never back.
 * Returns the new marker and whether it moved (a receipt is due).
 */
export function markRead(db: RoomDb, userId: string, seq: number, device: string | undefined, now: number): { readSeq: number; moved: boolean } {
  const member = requireMember(db, userId);
  const lastSeq = lastMessage(db)?.seq ?? 0;
  const target = Math.min(seq, lastSeq);
  const moved = target > member.readSeq;
  const cursorMoves = device !== undefined && target > currentCursor(db, userId, device);
  if (moved || cursorMoves) {
    const rev = recordChange(db, { kind: "read", userId }, now);
    if (moved) db.update(members).set({ readSeq: target }).where(eq(members.userId, userId)).run();
    if (cursorMoves) moveCursor(db, userId, device, target, rev);
  }
  return { readSeq: Math.max(target, member.readSeq), moved };
}

/** A device now holds everything up to `seq` (after a sync): its cursor moves. */
export function markHeld(db: RoomDb, userId: string, device: string, seq: number, now: number): void {
  if (seq <= currentCursor(db, userId, device)) return;
  const rev = recordChange(db, { kind: "cursor", userId }, now);
  moveCursor(db, userId, device, seq, rev);
}

/** What every member's summary shares; a drain reads it once for all members, not once per member. */
export interface ChannelView {
  channel: Summary["channel"];
  lastMessage: Summary["lastMessage"];
  lastSeq: number;
}

export function channelView(db: RoomDb): ChannelView {
  const last = lastMessage(db);
  const channel = toChannel(db);
  return { channel, lastMessage: last ? toOneMessage(db, channel.id, last) : null, lastSeq: last?.seq ?? 0 };
}

/** One member's view of the channel, computed from the room's own state. */
export function summaryFor(db: RoomDb, member: MemberRow, view: ChannelView = channelView(db)): Summary {
  const { channel, lastSeq } = view;
  return {
    channel,
    lastMessage: view.lastMessage,
    lastSeq,
    readSeq: member.readSeq,
    unread: countUnread(db, member.userId, member.readSeq, lastSeq),
    mentions: countMentions(db, member.userId, member.readSeq),
  };
}

import { eq, sql } from "drizzle-orm";
import type { Summary } from "../protocol";
import { currentCursor, moveCursor } from "./cursors";
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

/** Per member, what keeps their unread count below `lastSeq - readSeq`, and their unread mentions. */
export interface UnreadCounts {
  /** Messages after the read marker that are not unread: one's own, others' tombstones, commits, encrypted changes and timeline lines. */
  notUnread: number;
  mentions: number;
}

/** The counts of several members in one statement (a drain asks for every member at once). */
export function unreadCounts(db: RoomDb, userIds: string[]): Map<string, UnreadCounts> {
  const rows = db.all<{ userId: string } & UnreadCounts>(sql`
    SELECT m.user_id AS userId,
      (SELECT count(*) FROM messages WHERE sender_id = m.user_id AND seq > m.read_seq)
        + (SELECT count(*) FROM messages WHERE deleted = 1 AND seq > m.read_seq AND sender_id != m.user_id)
        + (SELECT count(*) FROM messages WHERE (mls_kind IN ('commit', 'proposal') OR change_of IS NOT NULL) AND deleted = 0 AND seq > m.read_seq AND sender_id != m.user_id)
        + (SELECT count(*) FROM messages WHERE event IS NOT NULL AND seq > m.read_seq AND sender_id != m.user_id) AS notUnread,
      (SELECT count(*) FROM mentions x JOIN messages y ON y.seq = x.seq
        WHERE x.user_id = m.user_id AND x.seq > m.read_seq AND y.sender_id != m.user_id) AS mentions
    FROM members m WHERE m.user_id IN (SELECT value FROM json_each(${JSON.stringify(userIds)}))`);
  return new Map(rows.map(({ userId, notUnread, mentions }) => [userId, { notUnread, mentions }]));
}

/** A member's summary from the shared view and their counts. */
export function summaryFrom(view: ChannelView, member: MemberRow, counts: UnreadCounts = { notUnread: 0, mentions: 0 }): Summary {
  return {
    channel: view.channel,
    lastMessage: view.lastMessage,
    lastSeq: view.lastSeq,
    readSeq: member.readSeq,
    unread: Math.max(0, view.lastSeq - member.readSeq - counts.notUnread),
    mentions: counts.mentions,
  };
}

/** One member's view of the channel, computed from the room's own state. */
export function summaryFor(db: RoomDb, member: MemberRow, view: ChannelView = channelView(db)): Summary {
  return summaryFrom(view, member, unreadCounts(db, [member.userId]).get(member.userId));
}

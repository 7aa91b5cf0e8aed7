import { and, asc, eq, gt, lt, lte, min, sql } from "drizzle-orm";
import type { ChannelUpdate, DeliveredMessage } from "../user/channel-update";
import { cursorsSince } from "./cursors";
import { channelView, summaryFor, type ChannelView } from "./reads";
import { readMeta, type MemberRow, type OutboxRow, type RoomDb } from "./room-db";
import { members, mentions, messages, outbox } from "./schema";
import { inList } from "./seq-list";

/** Messages carried per member per drain; enough for push previews and mentions. */
const MAX_MESSAGES_PER_UPDATE = 20;
const MAX_BACKOFF_MS = 5 * 60_000;

export interface PlannedDelivery {
  userId: string;
  /** Null when nothing this member sees changed: just move their cursor. */
  update: ChannelUpdate | null;
  rev: number;
}

/**
 * The outbox drain: one update per member whose UserHub is behind the room's
 * rev and not waiting out a backoff, carrying every change since its last.
 */
export function planDrain(db: RoomDb, now: number, onlyUserIds?: string[]): PlannedDelivery[] {
  const meta = readMeta(db);
  if (!meta) return [];
  const behind = db
    .select()
    .from(members)
    .where(and(lt(members.deliveredRev, meta.rev), lte(members.retryAt, now)))
    .all()
    .filter((m) => !onlyUserIds || onlyUserIds.includes(m.userId));
  if (behind.length === 0) return [];
  const floor = Math.min(...behind.map((m) => m.deliveredRev));
  const pending = db.select().from(outbox).where(gt(outbox.rev, floor)).orderBy(asc(outbox.rev)).all();
  const view = channelView(db);
  return behind.map((m) => ({ userId: m.userId, rev: meta.rev, update: updateFor(db, meta.channelId, meta.rev, m, pending, view) }));
}

/**
 * Whether a change shows in this member's summary: an edit or delete does if
 * it touches the last message or an unread one (unread and mention counts);
 * a reaction only on the last message. The rest changes nothing they see.
 */
function concerns(r: OutboxRow, m: MemberRow, lastSeq: number): boolean {
  if (r.userId !== null && r.userId !== m.userId) return false;
  if (r.kind === "edit") return r.seq === lastSeq || (r.seq ?? 0) > m.readSeq;
  if (r.kind === "reaction") return r.seq === lastSeq;
  return true;
}

function updateFor(db: RoomDb, channelId: string, rev: number, m: MemberRow, pending: OutboxRow[], view: ChannelView): ChannelUpdate | null {
  const mine = pending.filter((r) => r.rev > m.deliveredRev && concerns(r, m, view.lastSeq));
  if (mine.length === 0) return null;
  if (!m.active) return { userId: m.userId, channelId, rev, membership: "removed", channel: view.channel };
  const seqs = mine.filter((r) => r.kind === "message" && r.seq !== null).map((r) => r.seq!);
  return {
    userId: m.userId,
    channelId,
    rev,
    membership: "active",
    summary: summaryFor(db, m, view),
    messages: deliveredMessages(db, seqs.slice(-MAX_MESSAGES_PER_UPDATE), m.userId),
    cursors: cursorsSince(db, m.userId, m.deliveredRev),
  };
}

function deliveredMessages(db: RoomDb, seqs: number[], userId: string): DeliveredMessage[] {
  if (seqs.length === 0) return [];
  const rows = db
    .select({ seq: messages.seq, senderId: messages.senderId, body: messages.body, deleted: messages.deleted })
    .from(messages)
    .where(and(gt(messages.seq, seqs[0]! - 1), lte(messages.seq, seqs[seqs.length - 1]!)))
    .all()
    .filter((r) => r.senderId !== userId && !r.deleted);
  if (rows.length === 0) return [];
  const mentioned = new Map<number, string[]>();
  for (const r of db.select().from(mentions).where(inList(mentions.seq, rows.map((r) => r.seq))).all()) {
    mentioned.set(r.seq, [...(mentioned.get(r.seq) ?? []), r.userId]);
  }
  return rows.map(({ seq, senderId, body }) => {
    const who = mentioned.get(seq);
    return who ? { seq, senderId, body, mentions: who } : { seq, senderId, body };
  });
}

/** The member's hub has everything up to `rev`; a removed member's row can go. */
export function completeDelivery(db: RoomDb, userId: string, rev: number): void {
  db.update(members)
    .set({ deliveredRev: sql`max(${members.deliveredRev}, ${rev})`, failures: 0, retryAt: 0 })
    .where(eq(members.userId, userId))
    .run();
  db.delete(members).where(and(eq(members.userId, userId), eq(members.active, false), sql`${members.deliveredRev} >= ${rev}`)).run();
}

/** Exponential backoff from 1 s to 5 min; the change stays in the outbox. */
export function failDelivery(db: RoomDb, userId: string, now: number): void {
  const row = db.select({ failures: members.failures }).from(members).where(eq(members.userId, userId)).get();
  const failures = (row?.failures ?? 0) + 1;
  const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
  db.update(members).set({ failures, retryAt: now + delay }).where(eq(members.userId, userId)).run();
}

/** Drops outbox rows every member's hub has seen. */
export function collectOutbox(db: RoomDb): void {
  const floor = db.select({ rev: min(members.deliveredRev) }).from(members).get()?.rev;
  if (floor === null || floor === undefined) db.delete(outbox).run();
  else db.delete(outbox).where(lte(outbox.rev, floor)).run();
}

/** When the drain must run next: now if something is due, at the earliest retry, or never. */
export function nextDrainAt(db: RoomDb, now: number): number | null {
  const meta = readMeta(db);
  if (!meta) return null;
  const next = db.select({ at: min(members.retryAt) }).from(members).where(lt(members.deliveredRev, meta.rev)).get()?.at;
  return next === null || next === undefined ? null : Math.max(now, next);
}

import { and, asc, eq, gt, inArray, isNull, lt, lte, min, notInArray, sql } from "drizzle-orm";
import type { ChannelUpdate, DeviceCursor, DeliveredMessage } from "../protocol";
import { channelView, summaryFrom, unreadCounts, type ChannelView, type UnreadCounts } from "./reads";
import { readMeta, type MemberRow, type OutboxRow, type RoomDb } from "./room-db";
import { attachments, deviceCursors, members, mentions, messages, outbox } from "./schema";
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

/** Kinds of change a member who has the channel open already sees live (and one who is away sees later): their hub may hear of them later, unless a message mentions them. */
const SEEN_LIVE = new Set<OutboxRow["kind"]>(["message", "edit", "reaction"]);

/**
 * The outbox drain: one update per member whose UserHub is behind the room's
 * rev and not waiting out a backoff, carrying every change since its last.
 * `mayWait(userId)` says a member reads the channel live, or is away, and is
 * not yet due: if all they have pending is content (messages, edits,
 * reactions) and nothing mentions them, they are left for a later drain
 * (their hub then gets it all in one update).
 */
export function planDrain(db: RoomDb, now: number, onlyUserIds?: string[], withChannel: string[] = [], mayWait: (userId: string) => boolean = () => false): PlannedDelivery[] {
  const meta = readMeta(db);
  if (!meta) return [];
  const behind = db
    .select()
    .from(members)
    .where(and(lt(members.deliveredRev, meta.rev), lte(members.retryAt, now)))
    .all()
    .filter((m) => !onlyUserIds || onlyUserIds.includes(m.userId));
  if (behind.length === 0) return [];
  const oldest = Math.min(...behind.map((m) => m.deliveredRev));
  // A member who may wait (mayWait) does while all that is pending for them is content that can: the
  // few changes of other kinds, and messages that mention them, answer that, so the outbox is read only
  // from the oldest member who is due (a live member's last delivery can be 30 s of messages back).
  const urgent = [
    ...db.select({ rev: outbox.rev, userId: outbox.userId }).from(outbox).where(and(gt(outbox.rev, oldest), notInArray(outbox.kind, [...SEEN_LIVE]))).all(),
    ...db.select({ rev: outbox.rev, userId: mentions.userId }).from(outbox).innerJoin(mentions, eq(mentions.seq, outbox.seq)).where(and(gt(outbox.rev, oldest), inArray(outbox.kind, ["message", "edit"]))).all(),
  ];
  const canWait = (m: MemberRow) => !urgent.some((r) => r.rev > m.deliveredRev && (r.userId === null || r.userId === m.userId));
  // A hub that asked for the whole channel gets it now, whatever it would otherwise wait for.
  const dueMembers = behind.filter((m) => withChannel.includes(m.userId) || !(m.active && canWait(m) && mayWait(m.userId)));
  if (dueMembers.length === 0) return [];
  // Everything a drain needs is read once for all members, not once per member.
  const floor = Math.min(...dueMembers.map((m) => m.deliveredRev));
  const pending = db.select().from(outbox).where(gt(outbox.rev, floor)).orderBy(asc(outbox.rev)).all();
  const view = channelView(db);
  const due = dueMembers.map((m) => ({ m, mine: pending.filter((r) => r.rev > m.deliveredRev && concerns(r, m, view.lastSeq)) }));
  const counts = unreadCounts(db, due.filter((d) => d.mine.length > 0).map((d) => d.m.userId));
  const messageSeqs = pending.filter((r) => r.kind === "message" && r.seq !== null).map((r) => r.seq!);
  const recent = recentMessages(db, messageSeqs.slice(-MAX_MESSAGES_PER_UPDATE));
  const senders = sendersOf(db, messageSeqs);
  const cursors = cursorsToReport(db, due.map((d) => d.m), floor, withChannel);
  const ctx: DrainContext = { channelId: meta.channelId, rev: meta.rev, pending, view, counts, recent, senders, cursors, withChannel };
  return due.map(({ m, mine }) => ({ userId: m.userId, rev: meta.rev, update: updateFor(m, mine, ctx) }));
}

interface DrainContext {
  channelId: string;
  rev: number;
  pending: OutboxRow[];
  view: ChannelView;
  counts: Map<string, UnreadCounts>;
  recent: DeliveredMessage[];
  /** Who sent each pending message, by seq (their own never travels in `messages`). */
  senders: Map<number, string>;
  /** Per member to report: all their devices' cursors in this channel. */
  cursors: Map<string, DeviceCursor[]>;
  /** Members whose hub asked for the full channel. */
  withChannel: string[];
}

/**
 * The room owns device cursors (cursors.ts); a member's hub keeps a copy for
 * `GET /inbox/missed`, replaced whole by each report. A member is reported
 * all their devices' cursors when one moved since their last delivery, or
 * when their hub is (re)built: a first delivery, or a hub that lost its copy.
 */
function cursorsToReport(db: RoomDb, due: MemberRow[], floor: number, withChannel: string[]): Map<string, DeviceCursor[]> {
  const moved = db.select({ userId: deviceCursors.userId, rev: deviceCursors.rev }).from(deviceCursors).where(gt(deviceCursors.rev, floor)).all();
  const ids = due
    .filter((m) => m.active && (m.deliveredRev === 0 || withChannel.includes(m.userId) || moved.some((c) => c.userId === m.userId && c.rev > m.deliveredRev)))
    .map((m) => m.userId);
  const report = new Map<string, DeviceCursor[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return report;
  for (const { userId, device, seq } of db.select().from(deviceCursors).where(inList(deviceCursors.userId, ids)).all()) {
    report.get(userId)!.push({ device, seq });
  }
  return report;
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

function updateFor(m: MemberRow, mine: OutboxRow[], ctx: DrainContext): ChannelUpdate | null {
  const { channelId, rev, view } = ctx;
  if (mine.length === 0) return null;
  if (!m.active) return { userId: m.userId, channelId, rev, membership: "removed", channel: view.channel };
  const seqs = new Set(mine.filter((r) => r.kind === "message").map((r) => r.seq));
  // The channel (up to 100 members) travels only when it changed, on a first delivery, or when asked.
  const sendChannel = m.deliveredRev === 0 || mine.some((r) => r.kind === "members") || ctx.withChannel.includes(m.userId);
  const { channel, ...summary } = summaryFrom(view, m, ctx.counts.get(m.userId));
  return {
    userId: m.userId,
    channelId,
    rev,
    membership: "active",
    summary: sendChannel ? { channel, ...summary } : summary,
    messages: ctx.recent.filter((r) => r.senderId !== m.userId && seqs.has(r.seq)),
    ...([...seqs].some((seq) => ctx.senders.get(seq!) === m.userId) ? { spoke: true as const } : {}),
    ...(ctx.cursors.has(m.userId) ? { cursors: ctx.cursors.get(m.userId)! } : {}),
  };
}

function sendersOf(db: RoomDb, seqs: number[]): Map<number, string> {
  if (seqs.length === 0) return new Map();
  const rows = db
    .select({ seq: messages.seq, senderId: messages.senderId })
    .from(messages)
    .where(and(gt(messages.seq, Math.min(...seqs) - 1), lte(messages.seq, Math.max(...seqs))))
    .all();
  return new Map(rows.map((r) => [r.seq, r.senderId]));
}

function recentMessages(db: RoomDb, seqs: number[]): DeliveredMessage[] {
  if (seqs.length === 0) return [];
  const rows = db
    .select({ seq: messages.seq, senderId: messages.senderId, body: messages.body, deleted: messages.deleted, mlsKind: messages.mlsKind, changeOf: messages.changeOf, event: messages.event })
    .from(messages)
    .where(and(gt(messages.seq, seqs[0]! - 1), lte(messages.seq, seqs[seqs.length - 1]!)))
    .all()
    // Commits, proposals, encrypted changes and timeline lines are nobody's new message: no push, no unread.
    .filter((r) => !r.deleted && r.mlsKind !== "commit" && r.mlsKind !== "proposal" && r.changeOf === null && r.event === null);
  if (rows.length === 0) return [];
  const mentioned = new Map<number, string[]>();
  for (const r of db.select().from(mentions).where(inList(mentions.seq, rows.map((r) => r.seq))).all()) {
    mentioned.set(r.seq, [...(mentioned.get(r.seq) ?? []), r.userId]);
  }
  const files = new Map<number, { name: string; type: string }[]>();
  // An encrypted message's uploads are placeholders of ciphertext: its push says nothing of them either.
  const carrying = rows.filter((r) => r.mlsKind === null && r.body.trim().length === 0).map((r) => r.seq);
  if (carrying.length > 0) {
    const found = db.select({ seq: attachments.seq, name: attachments.name, type: attachments.type }).from(attachments).where(and(inList(attachments.seq, carrying), isNull(attachments.expiresAt))).orderBy(asc(attachments.position)).all();
    for (const f of found) files.set(f.seq!, [...(files.get(f.seq!) ?? []), { name: f.name, type: f.type }]);
  }
  return rows.map(({ seq, senderId, body }) => {
    const m: DeliveredMessage = { seq, senderId, body };
    const who = mentioned.get(seq);
    if (who) m.mentions = who;
    const f = files.get(seq);
    if (f) m.attachments = f;
    return m;
  });
}

/** These members' hubs have everything up to `rev`; removed members' rows can go. One statement each. */
export function completeDeliveries(db: RoomDb, userIds: string[], rev: number): void {
  if (userIds.length === 0) return;
  db.update(members)
    .set({ deliveredRev: sql`max(${members.deliveredRev}, ${rev})`, failures: 0, retryAt: 0 })
    .where(inList(members.userId, userIds))
    .run();
  db.delete(members).where(and(inList(members.userId, userIds), eq(members.active, false), sql`${members.deliveredRev} >= ${rev}`)).run();
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

/**
 * When the drain must run next: now if something is due, at the earliest
 * retry, when a waiting live member's turn comes (`waitsUntil`, see
 * planDrain; not every drain gap meanwhile: each wake-up is a billed
 * request), or never.
 */
export function nextDrainAt(db: RoomDb, now: number, waitsUntil: (userId: string) => number | null = () => null): number | null {
  const meta = readMeta(db);
  if (!meta) return null;
  const behind = db.select({ userId: members.userId, retryAt: members.retryAt }).from(members).where(lt(members.deliveredRev, meta.rev)).all();
  if (behind.length === 0) return null;
  return Math.min(...behind.map((m) => Math.max(now, m.retryAt, waitsUntil(m.userId) ?? 0)));
}

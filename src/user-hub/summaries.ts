import { and, desc, eq, gt } from "drizzle-orm";
import type { Channel, ChannelUpdate, DeliveredMessage, InboxServerFrame, Missed, Summary } from "../protocol";
import type { HubDb } from "./hub-db";
import { countChannel, uncountChannel } from "./channel-count";
import { dropCursorCopy, heldBy, replaceCursorCopy } from "./cursor-copy";
import { channels } from "./schema";
import { statements } from "./statements";

export type InboxEvent = Extract<InboxServerFrame, { type: "channel" | "summary" }>;

export interface AppliedUpdate {
  /** Frames for this user's inbox sockets. */
  events: InboxEvent[];
  /** Messages not seen before by this hub: candidates for push. */
  fresh: DeliveredMessage[];
  /** The update left the channel out and the hub holds none: the room must resend it whole. */
  needChannel?: true;
}

/**
 * Applies a room's update if it is newer than what the hub holds. Replays and
 * out-of-order updates change nothing, so the room may retry freely.
 */
export function applyChannelUpdate(db: HubDb, update: ChannelUpdate): AppliedUpdate {
  const row = statements(db).channel.get({ channelId: update.channelId });
  if (row && row.rev >= update.rev) return { events: [], fresh: [] };

  if (update.membership === "removed") {
    const wasMember = row !== undefined && !row.removed;
    upsertTombstone(db, update.channelId, update.rev, update.channel);
    uncountChannel(db, update.channelId);
    if (!wasMember || row?.closed) return { events: [], fresh: [] };
    dropCursorCopy(db, update.channelId);
    return { events: [{ type: "channel", event: "removed", channel: update.channel }], fresh: [] };
  }

  // Rooms send the channel only when it changed; otherwise the hub's copy stands.
  const known = row && !row.removed ? (row.summary as Summary).channel : undefined;
  const channel = update.summary.channel ?? known;
  if (!channel) return { events: [], fresh: [], needChannel: true };
  const summary: Summary = { ...update.summary, channel };
  const partnerId = summary.channel.kind === "dm" ? (summary.channel.members.find((m) => m.id !== update.userId)?.id ?? null) : null;
  const lastActivity = summary.lastMessage?.createdAt ?? summary.channel.createdAt;
  const pushedSeq = row && !row.removed ? row.pushedSeq : 0;
  // Only messages neither pushed before nor already read on some device.
  const fresh = update.messages.filter((m) => m.seq > Math.max(pushedSeq, summary.readSeq) && m.senderId !== update.userId);
  const newPushedSeq = Math.max(pushedSeq, ...update.messages.map((m) => m.seq));
  // A closed DM stays out of the inbox until a message it has not seen arrives.
  const wasClosed = row !== undefined && !row.removed && row.closed;
  const closed = wasClosed && !update.messages.some((m) => m.seq > pushedSeq);
  statements(db).upsertChannel.run({ channelId: update.channelId, rev: update.rev, kind: summary.channel.kind, partnerId, summary, lastActivity, pushedSeq: newPushedSeq, closed });
  // Speaking in a channel is joining it: from then on it counts against the user's limit.
  if (update.spoke) countChannel(db, update.channelId, Date.now());
  if (update.cursors) replaceCursorCopy(db, update.channelId, update.cursors);
  const events: InboxEvent[] = [];
  if (closed) return { events, fresh: [] };
  if (!row || row.removed || wasClosed) events.push({ type: "channel", event: "added", channel: summary.channel });
  events.push({ type: "summary", summary });
  return { events, fresh };
}

function upsertTombstone(db: HubDb, channelId: string, rev: number, channel: Channel): void {
  const values = { rev, removed: true, kind: channel.kind, partnerId: null, summary: { channel }, lastActivity: 0 };
  db.insert(channels).values({ channelId, ...values }).onConflictDoUpdate({ target: channels.channelId, set: values }).run();
}

/** Every channel's summary, most recent activity first; closed DMs are left out. */
export function listSummaries(db: HubDb): Summary[] {
  return db
    .select({ summary: channels.summary })
    .from(channels)
    .where(and(eq(channels.removed, false), eq(channels.closed, false)))
    .orderBy(desc(channels.lastActivity))
    .all()
    .map((r) => r.summary as Summary);
}

export function channelIds(db: HubDb): string[] {
  return db.select({ id: channels.channelId }).from(channels).where(eq(channels.removed, false)).all().map((r) => r.id);
}

/** Channels with a message (or creation) since `since`, most recent first; at most 20. */
export function recentChannelIds(db: HubDb, since: number): string[] {
  return db
    .select({ id: channels.channelId })
    .from(channels)
    .where(and(eq(channels.removed, false), gt(channels.lastActivity, since)))
    .orderBy(desc(channels.lastActivity))
    .limit(20)
    .all()
    .map((r) => r.id);
}

export function dmPartners(db: HubDb): string[] {
  return db
    .select({ partnerId: channels.partnerId })
    .from(channels)
    .where(and(eq(channels.removed, false), eq(channels.kind, "dm")))
    .all()
    .flatMap((r) => (r.partnerId ? [r.partnerId] : []));
}

/** What one device missed: per channel, its cursor (as the room last reported it) against the channel's last seq. */
export function missedBy(db: HubDb, device: string): Missed {
  const held = heldBy(db, device);
  return listSummaries(db)
    .map((s) => ({ channelId: s.channel.id, cursor: held.get(s.channel.id) ?? 0, lastSeq: s.lastSeq }))
    .filter((m) => m.lastSeq > m.cursor);
}

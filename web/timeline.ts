import type { Channel, Message, PendingSend } from "../src/client";
import { dayKey, dayLabel } from "./format";
import { eventText } from "./event-text";
import { listNames, memberName } from "./names";

/** One row of the message log, by a stable id (message id, clientMsgId, day, gap). */
export type Entry =
  | { kind: "top"; id: "top"; text: string }
  | { kind: "day"; id: string; label: string }
  | { kind: "message"; id: string; message: Message; continued: boolean }
  | { kind: "event"; id: string; message: Message; text: string }
  | { kind: "pending"; id: string; pending: PendingSend; continued: boolean }
  | { kind: "seen"; id: "seen"; text: string }
  | { kind: "unread"; id: "unread" }
  | { kind: "gap"; id: string; after: number; missing: number }
  | { kind: "empty"; id: "empty" };

/** Rows a person reads as what someone said (timeline lines are not). */
const said = (m: Message) => m.event === undefined;

export interface TimelineInput {
  meId: string;
  channel: Channel | null;
  messages: readonly Message[];
  pending: readonly PendingSend[];
  receipts: ReadonlyMap<string, number>;
  gaps: readonly { after: number; before: number }[];
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The reader's read marker when the channel was opened: the "New messages" line goes after it. */
  unreadAfter: number | null;
}

const CONTINUE_MS = 5 * 60_000;

/**
 * The log's rows, oldest first: day separators, messages (a run by one
 * sender within five minutes is "continued"), pending sends, gaps in the
 * held history, the "New messages" line and "Seen by".
 */
export function timeline(t: TimelineInput): Entry[] {
  const entries: Entry[] = [{ kind: "top", id: "top", text: topText(t) }];
  const gapAfter = new Map(t.gaps.map((g) => [g.after, g]));
  const seen = seenLine(t);
  const firstUnread = t.unreadAfter === null ? undefined : t.messages.find((m) => m.seq > t.unreadAfter! && m.senderId !== t.meId && said(m));
  let prev: { senderId: string; at: number } | null = null;
  let prevDay = "";
  const add = (at: number, senderId: string, make: (continued: boolean) => Entry) => {
    const day = dayKey(at);
    if (day !== prevDay) {
      entries.push({ kind: "day", id: `day:${day}`, label: dayLabel(at) });
      prevDay = day;
      prev = null;
    }
    const continued = prev !== null && prev.senderId === senderId && at - prev.at < CONTINUE_MS;
    entries.push(make(continued));
    prev = { senderId, at };
  };
  for (const message of t.messages) {
    if (message === firstUnread) {
      entries.push({ kind: "unread", id: "unread" });
      prev = null;
    }
    if (message.event) {
      // A line ("Ana added Bo") between messages: the next message shows its sender again.
      add(message.createdAt, "", () => ({ kind: "event", id: `m:${message.id}`, message, text: eventText(message.event!, t.meId) }));
      prev = null;
    } else add(message.createdAt, message.senderId, (continued) => ({ kind: "message", id: `m:${message.id}`, message, continued }));
    if (seen && message.seq === seen.seq) entries.push({ kind: "seen", id: "seen", text: seen.text });
    const gap = gapAfter.get(message.seq);
    if (gap) {
      entries.push({ kind: "gap", id: `gap:${gap.after}`, after: gap.after, missing: gap.before - gap.after - 1 });
      prev = null;
    }
  }
  for (const pending of t.pending) {
    add(pending.createdAt, t.meId, (continued) => ({ kind: "pending", id: `p:${pending.clientMsgId}`, pending, continued }));
  }
  if (t.messages.length === 0 && t.pending.length === 0) entries.push({ kind: "empty", id: "empty" });
  return entries;
}

function topText(t: TimelineInput): string {
  if (t.loadingOlder) return "Loading older messages…";
  if (t.hasOlder) return "Scroll up for older messages";
  return t.messages.length > 0 ? "This is the start of the conversation." : "";
}

/** "Seen by Ann and Bo" under this user's newest message that others have read. */
function seenLine(t: TimelineInput): { seq: number; text: string } | null {
  let lastMine: Message | undefined;
  for (let i = t.messages.length - 1; i >= 0 && !lastMine; i--) if (t.messages[i]!.senderId === t.meId && said(t.messages[i]!)) lastMine = t.messages[i];
  if (!lastMine) return null;
  const names: string[] = [];
  for (const [userId, seq] of t.receipts) {
    if (userId !== t.meId && seq >= lastMine.seq) names.push(memberName(t.channel, userId));
  }
  return names.length > 0 ? { seq: lastMine.seq, text: `Seen by ${listNames(names.sort())}` } : null;
}

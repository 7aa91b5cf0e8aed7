import type { Channel, Message, PendingSend } from "../src/client";
import { h, icon, ICONS } from "./dom";
import { dayKey, dayLabel, formatTime } from "./format";
import { listNames, memberName } from "./names";

export interface MessageListState {
  meId: string;
  channel: Channel | null;
  messages: readonly Message[];
  pending: readonly PendingSend[];
  /** Others' read markers: userId → seq. */
  receipts: ReadonlyMap<string, number>;
  hasOlder: boolean;
  loadingOlder: boolean;
  onRetry(clientMsgId: string): void;
  onDiscard(clientMsgId: string): void;
}

type Row = { kind: "message"; message: Message } | { kind: "pending"; pending: PendingSend };

/** Messages oldest to newest, with day separators, sender names where the sender changes, times, pending marks and "Seen by". */
export function renderMessageList(log: HTMLElement, state: MessageListState): void {
  const rows: Row[] = [
    ...state.messages.map((message): Row => ({ kind: "message", message })),
    ...state.pending.map((pending): Row => ({ kind: "pending", pending })),
  ];
  const nodes: Node[] = [topNote(state)];
  const seen = seenLine(state);
  let prev: { senderId: string; at: number } | null = null;
  let prevDay = "";
  for (const row of rows) {
    const at = row.kind === "message" ? row.message.createdAt : row.pending.createdAt;
    const senderId = row.kind === "message" ? row.message.senderId : state.meId;
    const day = dayKey(at);
    if (day !== prevDay) {
      nodes.push(h("div", { class: "day-separator", role: "separator", "aria-label": dayLabel(at) }, h("span", { text: dayLabel(at) })));
      prevDay = day;
      prev = null;
    }
    const continued = prev !== null && prev.senderId === senderId && at - prev.at < 5 * 60_000;
    nodes.push(row.kind === "message" ? messageRow(row.message, state, continued) : pendingRow(row.pending, state, continued));
    if (seen && row.kind === "message" && row.message.seq === seen.seq) nodes.push(h("div", { class: "seen", text: seen.text }));
    prev = { senderId, at };
  }
  if (rows.length === 0) nodes.push(h("p", { class: "empty-log muted", text: "No messages yet. Say hello!" }));
  log.replaceChildren(...nodes);
}

function topNote(state: MessageListState): HTMLElement {
  if (state.loadingOlder) return h("p", { class: "log-top muted", text: "Loading older messages…" });
  if (state.hasOlder) return h("p", { class: "log-top muted", text: "Scroll up for older messages" });
  return h("p", { class: "log-top muted", text: state.messages.length > 0 ? "This is the start of the conversation." : "" });
}

function messageRow(message: Message, state: MessageListState, continued: boolean): HTMLElement {
  const mine = message.senderId === state.meId;
  const showName = !mine && !continued && state.channel?.kind === "group";
  return h(
    "div",
    { class: `msg ${mine ? "mine" : "theirs"}${continued ? " continued" : ""}`, "data-seq": message.seq, "data-id": message.id },
    showName ? h("div", { class: "msg-sender", text: memberName(state.channel, message.senderId) }) : null,
    h(
      "div",
      { class: `bubble${message.deleted ? " deleted" : ""}` },
      h("span", { class: "visually-hidden", text: `${mine ? "You" : memberName(state.channel, message.senderId)}: ` }),
      h("span", { class: "msg-body", text: message.deleted ? "Message deleted" : message.body }),
      h(
        "span",
        { class: "msg-meta" },
        message.editedAt ? h("span", { class: "edited", text: "edited" }) : null,
        h("time", { dateTime: new Date(message.createdAt).toISOString(), text: formatTime(message.createdAt) }),
      ),
    ),
  );
}

function pendingRow(pending: PendingSend, state: MessageListState, continued: boolean): HTMLElement {
  const failed = pending.state === "failed";
  return h(
    "div",
    { class: `msg mine ${failed ? "failed" : "pending"}${continued ? " continued" : ""}`, "data-client-msg-id": pending.clientMsgId },
    h(
      "div",
      { class: "bubble" },
      h("span", { class: "visually-hidden", text: "You: " }),
      h("span", { class: "msg-body", text: pending.body }),
      h(
        "span",
        { class: "msg-meta" },
        failed ? icon(ICONS.alert, "Not sent") : icon(ICONS.clock, "Sending"),
        h("time", { text: formatTime(pending.createdAt) }),
      ),
    ),
    failed
      ? h(
          "div",
          { class: "failed-actions" },
          h("span", { text: `Not sent: ${pending.error?.message ?? "refused"}` }),
          h("button", { type: "button", class: "link", onclick: () => state.onRetry(pending.clientMsgId), text: "Retry" }),
          h("button", { type: "button", class: "link", onclick: () => state.onDiscard(pending.clientMsgId), text: "Discard" }),
        )
      : null,
  );
}

/** "Seen by Ann and Bo" under this user's newest message that others have read. */
function seenLine(state: MessageListState): { seq: number; text: string } | null {
  const lastMine = [...state.messages].reverse().find((m) => m.senderId === state.meId);
  if (!lastMine) return null;
  const names: string[] = [];
  for (const [userId, seq] of state.receipts) {
    if (userId !== state.meId && seq >= lastMine.seq) names.push(memberName(state.channel, userId));
  }
  return names.length > 0 ? { seq: lastMine.seq, text: `Seen by ${listNames(names.sort())}` } : null;
}

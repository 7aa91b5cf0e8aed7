import type { Channel, Message, PendingSend } from "../src/client";
import { attachmentNodes } from "./attachment-view";
import { h, icon, ICONS } from "./dom";
import { dayKey, dayLabel, formatTime } from "./format";
import { listNames, memberName } from "./names";
import { bodyNodes, quoteText } from "./rich-text";

export interface MessageListState {
  meId: string;
  channel: Channel | null;
  messages: readonly Message[];
  pending: readonly PendingSend[];
  /** Others' read markers: userId → seq. */
  receipts: ReadonlyMap<string, number>;
  /** Holes in the history held (after a jump), each between two held seqs. */
  gaps: readonly { after: number; before: number }[];
  hasOlder: boolean;
  loadingOlder: boolean;
  /** The gap being filled, by the seq it starts after. */
  loadingGap: number | null;
  /** The message being edited in place, and its form (kept by the view, so typing survives re-renders). */
  editing: { seq: number; form: HTMLElement } | null;
  /** A message to point out (a search hit, a quoted message). */
  highlightSeq: number | null;
  /** The message whose actions menu is open. */
  menuFor: string | null;
  bySeq(seq: number): Message | undefined;
  onRetry(clientMsgId: string): void;
  onDiscard(clientMsgId: string): void;
  onActions(button: HTMLElement, message: Message): void;
  onReact(message: Message, emoji: string, on: boolean): void;
  onQuote(seq: number): void;
  onLoadGap(after: number): void;
}

interface Entry {
  /** Stable identity: a message id, a clientMsgId, a day, a gap. */
  id: string;
  /** Everything the node shows; the node is rebuilt only when it changes. */
  key: string;
  build(): HTMLElement;
}

/**
 * The message log: messages oldest to newest with day separators, sender
 * names, reply quotes, reactions, edit-in-place, gaps, pending sends and
 * "Seen by". Rows are kept by identity and rebuilt only when what they show
 * changes, so focus, selection and the scroll anchor survive new messages.
 */
export class MessageList {
  readonly #log: HTMLElement;
  readonly #rows = new Map<string, { key: string; node: HTMLElement }>();

  constructor(log: HTMLElement) {
    this.#log = log;
  }

  render(state: MessageListState): void {
    const entries = entriesOf(state);
    const focus = focusMemo(this.#log);
    const wanted: HTMLElement[] = [];
    const next = new Map<string, { key: string; node: HTMLElement }>();
    for (const e of entries) {
      const old = this.#rows.get(e.id);
      const row = old && old.key === e.key ? old : { key: e.key, node: e.build() };
      next.set(e.id, row);
      wanted.push(row.node);
    }
    this.#rows.clear();
    for (const [id, row] of next) this.#rows.set(id, row);
    reconcile(this.#log, wanted);
    focus.restore();
  }

  /** The row of a message, if it is on screen. */
  row(seq: number): HTMLElement | null {
    return this.#log.querySelector<HTMLElement>(`.msg[data-seq="${seq}"]`);
  }

  /** The actions button of a message, if shown. */
  actionsButton(messageId: string): HTMLElement | null {
    return this.#log.querySelector<HTMLElement>(`.msg[data-id="${CSS.escape(messageId)}"] .msg-actions`);
  }
}

/**
 * Makes `parent`'s children exactly `wanted`, moving as little as possible:
 * nodes that stay are never detached (detaching would drop focus).
 */
function reconcile(parent: HTMLElement, wanted: HTMLElement[]): void {
  const keep = new Set<Node>(wanted);
  for (const child of [...parent.childNodes]) if (!keep.has(child)) child.remove();
  wanted.forEach((node, i) => {
    const current = parent.childNodes[i];
    if (current !== node) parent.insertBefore(node, current ?? null);
  });
}

/** Where focus was inside the log, to put it back on the rebuilt row's matching control. */
function focusMemo(log: HTMLElement): { restore(): void } {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !log.contains(active)) return { restore() {} };
  const row = active.closest<HTMLElement>("[data-row]");
  const control = active.dataset.focus;
  return {
    restore() {
      if (document.activeElement === active) return;
      // A kept element that moved (the edit form into its rebuilt row) lost focus: give it back.
      if (active.isConnected) return active.focus({ preventScroll: true });
      if (!row) return;
      const again = log.querySelector<HTMLElement>(
        `[data-row="${CSS.escape(row.dataset.row ?? "")}"]${control ? ` [data-focus="${CSS.escape(control)}"]` : ""}`,
      );
      again?.focus({ preventScroll: true });
    },
  };
}

type Row = { kind: "message"; message: Message } | { kind: "pending"; pending: PendingSend };

function entriesOf(state: MessageListState): Entry[] {
  const rows: Row[] = [
    ...state.messages.map((message): Row => ({ kind: "message", message })),
    ...state.pending.map((pending): Row => ({ kind: "pending", pending })),
  ];
  // What every row's look depends on besides its own message: names and handles (hashed, to keep keys short).
  const people = hash(JSON.stringify(state.channel?.members.map((m) => [m.id, m.displayName, m.handle]) ?? []));
  const gapAfter = new Map(state.gaps.map((g) => [g.after, g]));
  const entries: Entry[] = [topNote(state)];
  const seen = seenLine(state);
  let prev: { senderId: string; at: number } | null = null;
  let prevDay = "";
  for (const row of rows) {
    const at = row.kind === "message" ? row.message.createdAt : row.pending.createdAt;
    const senderId = row.kind === "message" ? row.message.senderId : state.meId;
    const day = dayKey(at);
    if (day !== prevDay) {
      const label = dayLabel(at);
      entries.push({
        id: `day:${day}`,
        key: label,
        build: () => h("div", { class: "day-separator", role: "separator", "aria-label": label }, h("span", { text: label })),
      });
      prevDay = day;
      prev = null;
    }
    const continued = prev !== null && prev.senderId === senderId && at - prev.at < 5 * 60_000;
    entries.push(row.kind === "message" ? messageEntry(row.message, state, continued, people) : pendingEntry(row.pending, state, continued, people));
    if (seen && row.kind === "message" && row.message.seq === seen.seq) {
      entries.push({ id: "seen", key: seen.text, build: () => h("div", { class: "seen", text: seen.text }) });
    }
    const gap = row.kind === "message" ? gapAfter.get(row.message.seq) : undefined;
    if (gap) {
      entries.push(gapEntry(gap, state));
      prev = null;
    } else {
      prev = { senderId, at };
    }
  }
  if (rows.length === 0) entries.push({ id: "empty", key: "", build: () => h("p", { class: "empty-log muted", text: "No messages yet. Say hello!" }) });
  return entries;
}

function topNote(state: MessageListState): Entry {
  const text = state.loadingOlder
    ? "Loading older messages…"
    : state.hasOlder
      ? "Scroll up for older messages"
      : state.messages.length > 0
        ? "This is the start of the conversation."
        : "";
  return { id: "top", key: text, build: () => h("p", { class: "log-top muted", text }) };
}

function gapEntry(gap: { after: number; before: number }, state: MessageListState): Entry {
  const missing = gap.before - gap.after - 1;
  const loading = state.loadingGap === gap.after;
  const text = loading ? "Loading…" : `Show ${missing} more ${missing === 1 ? "message" : "messages"}`;
  return {
    id: `gap:${gap.after}`,
    key: text,
    build: () =>
      h(
        "div",
        { class: "gap", "data-row": `gap:${gap.after}`, "data-after": gap.after },
        h("button", { type: "button", class: "secondary small", "data-focus": "gap", disabled: loading, onclick: () => state.onLoadGap(gap.after), text }),
      ),
  };
}

/** FNV-1a, 32 bits, as a short string. */
function hash(s: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 0x01000193);
  return (x >>> 0).toString(36);
}

function messageEntry(message: Message, state: MessageListState, continued: boolean, people: string): Entry {
  const mine = message.senderId === state.meId;
  const showName = !mine && !continued && state.channel?.kind === "group";
  const editing = state.editing?.seq === message.seq ? state.editing.form : null;
  const quoted = message.replyTo !== undefined ? quoteOf(message, state) : null;
  const key = JSON.stringify([
    message.rev,
    message.editedAt,
    message.deleted,
    message.body,
    message.reactions,
    continued,
    showName,
    editing !== null,
    state.highlightSeq === message.seq,
    quoted,
    people,
  ]);
  return { id: `m:${message.id}`, key, build: () => messageRow(message, state, { mine, continued, showName, editing, quoted }) };
}

interface Quote {
  seq: number;
  name: string;
  text: string;
  deleted: boolean;
}

/** What a reply quotes: the held message as it is now, else the server's preview. */
function quoteOf(message: Message, state: MessageListState): Quote | null {
  const seq = message.replyTo!;
  const held = state.bySeq(seq);
  if (held) return { seq, name: memberName(state.channel, held.senderId), text: quoteText(held.body), deleted: held.deleted === true };
  const p = message.replyPreview;
  if (p) return { seq, name: memberName(state.channel, p.senderId), text: quoteText(p.body), deleted: p.deleted === true };
  return { seq, name: "", text: "An earlier message", deleted: false };
}

function quoteBlock(quote: Quote, state: MessageListState): HTMLElement {
  return h(
    "button",
    { type: "button", class: "quote", "data-focus": "quote", title: "Show the message this replies to", onclick: () => state.onQuote(quote.seq) },
    h("span", { class: "visually-hidden", text: "In reply to " }),
    quote.name ? h("span", { class: "quote-name", text: quote.name }) : null,
    h("span", { class: `quote-text${quote.deleted ? " deleted" : ""}`, text: quote.deleted ? "Message deleted" : quote.text }),
  );
}

function messageRow(
  message: Message,
  state: MessageListState,
  o: { mine: boolean; continued: boolean; showName: boolean; editing: HTMLElement | null; quoted: Quote | null },
): HTMLElement {
  const members = state.channel?.members ?? [];
  const deleted = message.deleted === true;
  const mentionsMe = !o.mine && !deleted && (message.mentions?.includes(state.meId) ?? false);
  const classes = ["msg", o.mine ? "mine" : "theirs"];
  if (o.continued) classes.push("continued");
  if (mentionsMe) classes.push("mentions-me");
  if (state.highlightSeq === message.seq) classes.push("highlight");
  const sender = o.mine ? "You" : memberName(state.channel, message.senderId);
  const actions = deleted
    ? null
    : h(
        "button",
        {
          type: "button",
          class: "msg-actions icon-button",
          "aria-haspopup": "menu",
          "aria-expanded": state.menuFor === message.id ? "true" : "false",
          "data-focus": "actions",
          onclick: (event: Event) => state.onActions(event.currentTarget as HTMLElement, message),
        },
        icon(ICONS.more),
        // Named by content, not aria-label: a label containing "message" would also answer getByLabel("Message") (the composer).
        h("span", { class: "visually-hidden", text: "Message actions" }),
      );
  const bubble = h(
    "div",
    { class: `bubble${deleted ? " deleted" : ""}${o.editing ? " editing" : ""}` },
    o.quoted && !deleted ? quoteBlock(o.quoted, state) : null,
    h("span", { class: "visually-hidden", text: `${sender}: ` }),
    o.editing ??
      h("span", { class: "msg-body" }, ...(deleted ? [document.createTextNode("Message deleted")] : bodyNodes(message.body, members, state.meId))),
    o.editing || deleted ? null : attachmentNodes(message.attachments),
    o.editing
      ? null
      : h(
          "span",
          { class: "msg-meta" },
          message.editedAt && !deleted ? h("span", { class: "edited", title: `Edited ${formatTime(message.editedAt)}`, text: "(edited)" }) : null,
          h("time", { dateTime: new Date(message.createdAt).toISOString(), text: formatTime(message.createdAt) }),
        ),
  );
  return h(
    "div",
    { class: classes.join(" "), "data-seq": message.seq, "data-id": message.id, "data-row": `m:${message.id}`, tabindex: -1 },
    o.showName ? h("div", { class: "msg-sender", text: memberName(state.channel, message.senderId) }) : null,
    h("div", { class: "msg-line" }, bubble, o.editing ? null : actions),
    deleted ? null : reactionsRow(message, state),
  );
}

/** The reaction chips under a message: emoji and count, pressed where the user reacted, who reacted in the tooltip. */
function reactionsRow(message: Message, state: MessageListState): HTMLElement | null {
  const reactions = message.reactions ?? [];
  if (reactions.length === 0) return null;
  return h(
    "div",
    { class: "reactions", role: "group", "aria-label": "Reactions" },
    ...reactions.map((r) => {
      const mine = r.userIds.includes(state.meId);
      const names = listNames(r.userIds.map((id) => (id === state.meId ? "You" : memberName(state.channel, id))));
      return h(
        "button",
        {
          type: "button",
          class: "reaction",
          "aria-pressed": mine ? "true" : "false",
          "aria-label": `${r.emoji} ${r.userIds.length}: ${names}`,
          title: `${names} reacted with ${r.emoji}`,
          "data-focus": `reaction:${r.emoji}`,
          onclick: () => state.onReact(message, r.emoji, !mine),
        },
        h("span", { class: "reaction-emoji", "aria-hidden": "true", text: r.emoji }),
        h("span", { class: "reaction-count", "aria-hidden": "true", text: String(r.userIds.length) }),
      );
    }),
  );
}

function pendingEntry(pending: PendingSend, state: MessageListState, continued: boolean, people: string): Entry {
  const quoted = pending.replyTo !== undefined ? quoteOfSeq(pending.replyTo, state) : null;
  const key = JSON.stringify([pending.state, pending.error, continued, quoted, people]);
  return { id: `p:${pending.clientMsgId}`, key, build: () => pendingRow(pending, state, continued, quoted) };
}

function quoteOfSeq(seq: number, state: MessageListState): Quote {
  const held = state.bySeq(seq);
  return held
    ? { seq, name: memberName(state.channel, held.senderId), text: quoteText(held.body), deleted: held.deleted === true }
    : { seq, name: "", text: "An earlier message", deleted: false };
}

function pendingRow(pending: PendingSend, state: MessageListState, continued: boolean, quoted: Quote | null): HTMLElement {
  const failed = pending.state === "failed";
  return h(
    "div",
    { class: `msg mine ${failed ? "failed" : "pending"}${continued ? " continued" : ""}`, "data-client-msg-id": pending.clientMsgId, "data-row": `p:${pending.clientMsgId}` },
    h(
      "div",
      { class: "msg-line" },
      h(
        "div",
        { class: "bubble" },
        quoted ? quoteBlock(quoted, state) : null,
        h("span", { class: "visually-hidden", text: "You: " }),
        h("span", { class: "msg-body", text: pending.body }),
        h(
          "span",
          { class: "msg-meta" },
          failed ? icon(ICONS.alert, "Not sent") : icon(ICONS.clock, "Sending"),
          h("time", { text: formatTime(pending.createdAt) }),
        ),
      ),
    ),
    failed
      ? h(
          "div",
          { class: "failed-actions" },
          h("span", { text: `Not sent: ${pending.error?.message ?? "refused"}` }),
          h("button", { type: "button", class: "link", "data-focus": "retry", onclick: () => state.onRetry(pending.clientMsgId), text: "Retry" }),
          h("button", { type: "button", class: "link", "data-focus": "discard", onclick: () => state.onDiscard(pending.clientMsgId), text: "Discard" }),
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

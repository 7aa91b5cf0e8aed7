import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Channel } from "../src/client";
import { MessageRow, PendingRow, quoteOf, type RowHandlers } from "./message-row";
import { formatTime } from "./format";
import { layout, visibleRange, type Layout } from "./virtual-layout";
import type { Entry } from "./timeline";

export interface MessageListProps {
  entries: Entry[];
  channel: Channel | null;
  meId: string;
  editingSeq: number | null;
  highlightSeq: number | null;
  menuFor: string | null;
  loadingGap: number | null;
  handlers: RowHandlers;
  /** A message to bring to the middle of the log and focus; `n` changes for each new request. */
  jump: { seq: number; n: number } | null;
  /** Changes when the log must go to its newest row (the user sent something). */
  toBottom: number;
  onLoadOlder(): void;
  onLoadGap(after: number): void;
  /** Whether the newest row is on screen; called when that changes. */
  onBottom(atBottom: boolean): void;
  onScrolled(): void;
  /** Where the log should open when it first has rows: an entry id to show at the top, else the newest. */
  openAt: string | null;
}

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 120;
const OVERSCAN_PX = 900;

/**
 * The message log (role="log"), virtualised: only the rows near the viewport
 * are in the DOM, between two spacers sized from measured (or estimated)
 * heights. What the reader looks at stays put when rows come or go above it
 * (older history, a re-measured row); at the bottom, the log follows the
 * newest. One Tab stop: arrow keys move between messages, Enter opens the
 * focused message's actions.
 */
export function MessageList(p: MessageListProps) {
  const logRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>()).current;
  const view = useRef({ top: 0, height: 800, stick: true, anchor: null as { id: string; delta: number } | null, opened: false });
  const handled = useRef({ jump: 0, toBottom: p.toBottom, bottom: true });
  const openBy = useRef(performance.now() + 3000);
  /** The log as last read: a render that finds it scrolled elsewhere comes before that scroll's event, and the reader's move wins. */
  const seen = useRef<{ layout: Layout; entries: Entry[]; scrollTop: number; scrollHeight: number } | null>(null);
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);

  const lay = layout(p.entries, heights);
  const { start, end } = visibleRange(lay, view.current.top - OVERSCAN_PX, view.current.top + view.current.height + OVERSCAN_PX);

  // Where the viewport is, in the rows' coordinates; which row anchors it. `entries` and `scrollHeight` are those `l` was laid out for.
  const readViewport = (l: Layout, entries = p.entries, scrollHeight = logRef.current!.scrollHeight) => {
    const log = logRef.current!;
    const v = view.current;
    v.top = log.scrollTop - rowsRef.current!.offsetTop;
    v.height = log.clientHeight;
    v.stick = scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
    // The anchor is the first message on screen: rows like "top" or a day line keep their place when history comes in above.
    let i = visibleRange(l, v.top, v.top + 1).start;
    while (i < entries.length - 1 && entries[i]!.kind !== "message" && entries[i]!.kind !== "pending") i++;
    const id = entries[i]?.id;
    v.anchor = id ? { id, delta: l.tops[i]! - v.top } : null;
    seen.current = { layout: l, entries, scrollTop: log.scrollTop, scrollHeight: log.scrollHeight };
  };

  useLayoutEffect(() => {
    const log = logRef.current!;
    const rows = rowsRef.current!;
    let changed = false;
    for (const el of rows.children as HTMLCollectionOf<HTMLElement>) {
      const id = el.dataset.vid;
      if (!id) continue;
      const h = el.offsetHeight;
      if (heights.get(id) !== h) {
        heights.set(id, h);
        changed = true;
      }
    }
    const l = changed ? layout(p.entries, heights) : lay;
    const v = view.current;
    // Scrolled since it was last read (the scroll event is still to come): the anchor and "at the bottom" are where the reader went,
    // in the rows as they were then; restoring the old anchor would undo the scroll.
    const last = seen.current;
    if (v.opened && last && Math.abs(log.scrollTop - last.scrollTop) >= 1) readViewport(last.layout, last.entries, last.scrollHeight);
    const jump = p.jump && p.jump.n !== handled.current.jump ? p.jump : null;
    const target = jump ? l.index.get(entryIdOfSeq(p.entries, jump.seq) ?? "") : undefined;
    if (!v.opened && p.entries.length > 1) {
      const at = p.openAt ? l.index.get(p.openAt) : undefined;
      // The unread line may come with the sync after held messages show: wait for it a few seconds, at the bottom meanwhile.
      v.opened = at !== undefined || !p.openAt || performance.now() > openBy.current;
      if (at !== undefined) {
        log.scrollTop = rows.offsetTop + l.tops[at]! - 8;
        v.stick = false;
      } else log.scrollTop = log.scrollHeight;
    } else if (target !== undefined) {
      log.scrollTop = rows.offsetTop + l.tops[target]! - (log.clientHeight - (l.heights[target] ?? 0)) / 2;
      const el = rows.querySelector<HTMLElement>(`[data-vid="${CSS.escape(p.entries[target]!.id)}"] .msg`);
      if (el) {
        handled.current.jump = jump!.n;
        el.focus({ preventScroll: true });
      } else changed = true; // not rendered yet: again once it is
    } else if (p.toBottom !== handled.current.toBottom || v.stick) {
      handled.current.toBottom = p.toBottom;
      log.scrollTop = log.scrollHeight;
    } else if (v.anchor) {
      const i = l.index.get(v.anchor.id);
      if (i !== undefined) log.scrollTop = rows.offsetTop + l.tops[i]! - v.anchor.delta;
    }
    const before = visibleRange(l, v.top - OVERSCAN_PX, v.top + v.height + OVERSCAN_PX);
    readViewport(l);
    const after = visibleRange(l, v.top - OVERSCAN_PX, v.top + v.height + OVERSCAN_PX);
    tellBottom();
    if (changed || before.start !== after.start || before.end !== after.end || after.start !== start || after.end !== end) rerender();
  });

  const tellBottom = () => {
    if (handled.current.bottom === view.current.stick) return;
    handled.current.bottom = view.current.stick;
    p.onBottom(view.current.stick);
  };

  const onScroll = () => {
    const l = layout(p.entries, heights);
    readViewport(l);
    const v = view.current;
    const log = logRef.current!;
    if (log.scrollTop < NEAR_TOP_PX) p.onLoadOlder();
    // A gap scrolled into view fills itself, as older history does at the top.
    const shown = visibleRange(l, v.top, v.top + v.height);
    for (let i = shown.start; i < shown.end; i++) {
      const e = p.entries[i];
      if (e?.kind === "gap") p.onLoadGap(e.after);
    }
    tellBottom();
    p.onScrolled();
    const next = visibleRange(l, v.top - OVERSCAN_PX, v.top + v.height + OVERSCAN_PX);
    if (next.start !== start || next.end !== end) rerender();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const log = logRef.current!;
    const rowsNow = [...log.querySelectorAll<HTMLElement>(".msg[data-seq]")];
    const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>(".msg[data-seq]") ?? null;
    const i = current ? rowsNow.indexOf(current) : -1;
    const focusRow = (el: HTMLElement | undefined) => {
      if (!el) return;
      event.preventDefault();
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: "nearest" });
    };
    if (event.target !== log && !current) return;
    if (current && event.target !== current) return; // keys inside a row's own controls (the edit box) are theirs
    switch (event.key) {
      case "ArrowDown":
        return focusRow(i < 0 ? rowsNow.at(-1) : rowsNow[i + 1]);
      case "ArrowUp":
        return focusRow(i < 0 ? rowsNow.at(-1) : rowsNow[i - 1]);
      case "Home":
        return focusRow(rowsNow[0]);
      case "End":
        return focusRow(rowsNow.at(-1));
      case "Enter":
      case "ContextMenu":
        if (!current) return;
        event.preventDefault();
        current.querySelector<HTMLElement>(".msg-actions")?.click();
        return;
      case "Escape":
        if (current) {
          event.preventDefault();
          log.focus();
        }
    }
  };

  return (
    <div ref={logRef} class="message-log" role="log" aria-label="Chat history" tabIndex={0} onScroll={onScroll} onKeyDown={onKeyDown}>
      <div ref={rowsRef} class="log-rows">
        <div class="log-spacer" style={{ height: `${lay.tops[start] ?? 0}px` }} />
        {p.entries.slice(start, end).map((e) => (
          <div key={e.id} class="vrow" data-vid={e.id}>
            <EntryView entry={e} p={p} />
          </div>
        ))}
        <div class="log-spacer" style={{ height: `${lay.total - (lay.tops[end] ?? lay.total)}px` }} />
      </div>
    </div>
  );
}

function entryIdOfSeq(entries: Entry[], seq: number): string | undefined {
  return entries.find((e) => e.kind === "message" && e.message.seq === seq)?.id;
}

function EntryView({ entry: e, p }: { entry: Entry; p: MessageListProps }) {
  switch (e.kind) {
    case "top":
      return <p class="log-top muted">{e.text}</p>;
    case "day":
      return (
        <div class="day-separator" role="separator" aria-label={e.label}>
          <span>{e.label}</span>
        </div>
      );
    case "unread":
      return (
        // Text, not aria-label: a label containing "message" would also answer getByLabel("Message").
        <div class="unread-line">
          <span>New messages</span>
        </div>
      );
    case "seen":
      return <div class="seen">{e.text}</div>;
    case "event":
      return (
        <p class="timeline-event" data-seq={e.message.seq}>
          {e.text} <time class="muted">{formatTime(e.message.createdAt)}</time>
        </p>
      );
    case "empty":
      return <p class="empty-log muted">No messages yet. Say hello!</p>;
    case "gap": {
      const loading = p.loadingGap === e.after;
      return (
        <div class="gap" data-after={e.after}>
          <button type="button" class="secondary small" disabled={loading} onClick={() => p.onLoadGap(e.after)}>
            {loading ? "Loading…" : `Show ${e.missing} more ${e.missing === 1 ? "message" : "messages"}`}
          </button>
        </div>
      );
    }
    case "pending":
      return (
        <PendingRow
          pending={e.pending}
          continued={e.continued}
          quote={e.pending.replyTo !== undefined ? quoteOf(e.pending.replyTo, undefined, p.channel, p.handlers) : null}
          handlers={p.handlers}
        />
      );
    case "message": {
      const m = e.message;
      return (
        <MessageRow
          message={m}
          channel={p.channel}
          meId={p.meId}
          continued={e.continued}
          editing={p.editingSeq === m.seq}
          highlight={p.highlightSeq === m.seq}
          menuOpen={p.menuFor === m.id}
          quote={m.replyTo !== undefined ? quoteOf(m.replyTo, m.replyPreview, p.channel, p.handlers) : null}
          handlers={p.handlers}
        />
      );
    }
  }
}

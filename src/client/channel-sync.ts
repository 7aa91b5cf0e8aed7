import { batch, signal, type ReadonlySignal } from "@preact/signals-core";
import type { ChannelClientFrame, ChannelServerFrame, Message } from "../protocol";
import type { ChannelMeta, ChannelSnapshot } from "./chat-cache";
import { Emitter } from "./emitter";
import { ChannelMessages } from "./message-store";
import { readOnly } from "./read-only";
import type { ChangesPage, MessagesPage } from "../protocol";

/** The HTTP reads the sync engine pages through (HttpClient has them). */
export interface HistoryPages {
  messagesAfter(channelId: string, after: number, limit?: number): Promise<MessagesPage>;
  messagesBefore(channelId: string, before: number, limit?: number): Promise<MessagesPage>;
  changes(channelId: string, after: number, options?: { through?: number; limit?: number }): Promise<ChangesPage>;
}

/** A run of seqs missing between held messages (after a jump): both ends held. */
export interface Gap {
  after: number;
  before: number;
}

export interface ChannelSyncOptions {
  channelId: string;
  pages: HistoryPages;
  /** How many recent messages a first sync fetches. */
  initialHistory?: number;
  syncPageSize?: number;
  /** Where what is held goes to be kept across reloads: the cursors, and the messages new or changed. */
  onPersist?(meta: ChannelMeta, changed: readonly Message[]): void;
}

type Frame<T extends ChannelServerFrame["type"]> = Extract<ChannelServerFrame, { type: T }>;

/**
 * The sync engine of one channel: alone owns the message store, the seq
 * cursor (nothing missing up to it) and the change cursor (every edit, delete
 * and reaction up to it applied). It turns the socket's frames and HTTP pages
 * into held messages and tells the socket which `sync` frame to send; it
 * never touches a socket itself, so the same engine resumes on a new one.
 */
export class ChannelSync {
  /** `held`: messages newly held or changed, ascending by seq (after the signals moved); `synced`: the sync after a (re)connect finished, nothing missing up to the cursor. */
  readonly events = new Emitter<{ held: readonly Message[]; synced: number }>();
  readonly messages: ReadonlySignal<readonly Message[]>;
  readonly gaps: ReadonlySignal<readonly Gap[]>;
  readonly cursor: ReadonlySignal<number | null>;
  readonly hasOlder: ReadonlySignal<boolean>;
  readonly lastSeq: ReadonlySignal<number>;
  readonly synced: ReadonlySignal<boolean>;

  readonly #messages = signal<readonly Message[]>([]);
  readonly #gaps = signal<readonly Gap[]>([]);
  readonly #cursor = signal<number | null>(null);
  readonly #hasOlder = signal(false);
  readonly #lastSeq = signal(0);
  readonly #synced = signal(false);
  readonly #store = new ChannelMessages();
  readonly #options: ChannelSyncOptions;
  readonly #initialHistory: number;
  readonly #pageSize: number;
  #send: (frame: ChannelClientFrame) => boolean = () => false;
  #syncing = false;
  /** The sync frame awaiting its page, to ask again if the server refuses it for now. */
  #lastSync: ChannelClientFrame | null = null;
  #loadingOlder: Promise<boolean> | null = null;
  /** This socket's change catch-up (held messages up to `through`); null once done, when live frames move the cursor. */
  #catchUp: { through: number } | null = null;
  /** Changes to messages not held yet, so that a page read before them cannot bring back the old state. */
  readonly #unheldChanges = new Map<number, Message>();

  constructor(options: ChannelSyncOptions) {
    this.#options = options;
    this.#initialHistory = options.initialHistory ?? 50;
    this.#pageSize = options.syncPageSize ?? 100;
    this.messages = readOnly(this.#messages);
    this.gaps = readOnly(this.#gaps);
    this.cursor = readOnly(this.#cursor);
    this.hasOlder = readOnly(this.#hasOlder);
    this.lastSeq = readOnly(this.#lastSeq);
    this.synced = readOnly(this.#synced);
  }

  get channelId(): string {
    return this.#options.channelId;
  }

  /** The held message at `seq`, if any. */
  messageAt(seq: number): Message | undefined {
    return this.#store.bySeq(seq);
  }

  /** Whether a message with this id is held. */
  holds(id: string): boolean {
    return this.#store.has(id);
  }

  /**
   * Takes what a cache kept, so the channel shows at once and the next sync
   * asks only for what came after it. Ignored once anything is held or synced.
   */
  restore(snapshot: ChannelSnapshot): void {
    if (this.#store.size > 0 || this.#store.cursor !== null || snapshot.cursor === null) return;
    this.#store.restore(snapshot.messages, snapshot.cursor, snapshot.changeRev);
    batch(() => {
      this.#lastSeq.value = Math.max(this.#lastSeq.peek(), snapshot.lastSeq, this.#store.newestSeq);
      this.#hasOlder.value = snapshot.hasOlder && this.#store.oldestSeq > 1;
      this.#publish();
    });
    this.events.emit("held", this.#store.list());
  }

  /** The cursors a cache keeps beside the messages. */
  meta(): ChannelMeta {
    return { cursor: this.#store.cursor, changeRev: this.#store.changeRev, lastSeq: this.#lastSeq.peek(), hasOlder: this.#hasOlder.peek() };
  }

  /** A new socket was welcomed: sync from the cursor (and catch up on changes) through `send`. */
  connected(lastSeq: number, send: (frame: ChannelClientFrame) => boolean): void {
    this.#send = send;
    this.#lastSeq.value = Math.max(this.#lastSeq.peek(), lastSeq);
    if (this.#store.cursor === null) {
      const start = Math.max(0, lastSeq - this.#initialHistory);
      this.#store.startAt(start);
      this.#hasOlder.value = start > 0 && this.#store.oldestSeq > 1;
      this.#publish();
    }
    this.#sync(this.#store.cursor ?? 0, true);
  }

  /** The socket went away: the next one syncs again. */
  disconnected(): void {
    this.#send = () => false;
    this.#syncing = false;
    this.#lastSync = null;
    this.#catchUp = null;
    this.#synced.value = false;
  }

  history(frame: Frame<"history">): void {
    this.#add(frame.messages);
    const next = this.#store.nextSyncAfter(frame.messages, frame.hasMore);
    if (next !== null) return this.#sync(next);
    this.#syncing = false;
    this.#lastSync = null;
    this.#synced.value = true;
    this.events.emit("synced", this.#store.cursor ?? 0);
  }

  /** Live messages (a `message` frame, a `messages` batch in seq order), or the ack of one's own send. */
  live(messages: readonly Message[]): void {
    const last = messages.at(-1);
    if (!last) return;
    this.#add(messages);
    for (const m of messages) this.#noteLiveRev(m);
    // A live message past a hole means frames were missed: fill the hole now.
    const cursor = this.#store.cursor ?? 0;
    if (!this.#syncing && cursor < last.seq - 1) this.#sync(cursor);
  }

  /** An edit, delete or reaction (a `changed` frame, or the answer to one's own HTTP call). */
  changed(message: Message): void {
    this.#updateHeld([message]);
    this.#noteLiveRev(message);
  }

  /** The catch-up asked for by this socket's first sync. */
  changes(frame: Frame<"changes">): void {
    this.#updateHeld(frame.messages);
    if (this.#catchUp && frame.hasMore) void this.#moreChanges(this.#catchUp, frame.rev);
    else if (this.#catchUp) this.#changesDone(this.#catchUp, frame.rev);
  }

  /** The server refused the last sync for now (rate limited): it goes again after `retryAfterMs`, unless superseded or disconnected. */
  refused(retryAfterMs: number): void {
    const again = this.#lastSync;
    if (again) setTimeout(() => this.#lastSync === again && this.#send(again), retryAfterMs);
  }

  /** Loads the page of messages just before the oldest held, over HTTP. Returns whether still older ones exist. */
  loadOlder(limit = 50): Promise<boolean> {
    this.#loadingOlder ??= (async () => {
      try {
        const before = this.#store.oldestSeq;
        if (before <= 1) return (this.#hasOlder.value = false);
        const page = await this.#options.pages.messagesBefore(this.channelId, before, limit);
        return batch(() => {
          this.#add(page.messages, true);
          return (this.#hasOlder.value = page.hasMore && this.#store.oldestSeq > 1);
        });
      } finally {
        this.#loadingOlder = null;
      }
    })();
    return this.#loadingOlder;
  }

  /**
   * Holds the messages around `seq` without loading everything between them
   * and what is held; the hole left shows in `gaps`. Returns whether `seq` is held.
   */
  async loadAround(seq: number, limit = 50): Promise<boolean> {
    if (this.#store.bySeq(seq)) return true;
    const half = Math.max(1, Math.ceil(limit / 2));
    const [older, newer] = await Promise.all([
      this.#options.pages.messagesBefore(this.channelId, seq + 1, half),
      this.#options.pages.messagesAfter(this.channelId, seq, half),
    ]);
    batch(() => {
      this.#add([...older.messages, ...newer.messages], true);
      const first = older.messages[0];
      if (first && first.seq <= this.#store.oldestSeq) this.#hasOlder.value = older.hasMore && this.#store.oldestSeq > 1;
    });
    return this.#store.bySeq(seq) !== undefined;
  }

  /** Loads up to `limit` messages after held seq `after`, into a gap. */
  async loadGap(after: number, limit = 100): Promise<void> {
    const page = await this.#options.pages.messagesAfter(this.channelId, after, limit);
    this.#add(page.messages, true);
  }

  /** `fromPage`: read over HTTP, so possibly older than a change already seen live. */
  #add(messages: readonly Message[], fromPage = false): void {
    if (fromPage && this.#unheldChanges.size > 0) {
      messages = messages.map((m) => {
        const changed = this.#unheldChanges.get(m.seq);
        return changed && (changed.rev ?? 0) > (m.rev ?? 0) ? changed : m;
      });
    }
    let lastSeq = this.#lastSeq.peek();
    for (const m of messages) lastSeq = Math.max(lastSeq, m.seq);
    const added = this.#store.add(messages);
    batch(() => {
      this.#lastSeq.value = lastSeq;
      if (added.length > 0) this.#publish();
    });
    if (added.length === 0) return;
    this.events.emit("held", added);
    this.#options.onPersist?.(this.meta(), added);
  }

  #publish(): void {
    this.#messages.value = this.#store.list();
    this.#gaps.value = this.#store.gaps();
    this.#cursor.value = this.#store.cursor;
  }

  /**
   * New states of messages: held ones are replaced; others are not added (that
   * would leave a hole in history) but remembered for a page that brings them.
   */
  #updateHeld(messages: readonly Message[]): void {
    const held: Message[] = [];
    for (const m of messages) {
      if (this.#store.has(m.id)) held.push(m);
      else {
        this.#unheldChanges.set(m.seq, m);
        // Bounded: only pages in flight can need them.
        if (this.#unheldChanges.size > 500) this.#unheldChanges.delete(this.#unheldChanges.keys().next().value!);
      }
    }
    if (held.length > 0) this.#add(held);
  }

  /** Pages of the change catch-up beyond the first, over HTTP. */
  async #moreChanges(catchUp: { through: number }, after: number): Promise<void> {
    try {
      for (let pages = 0; pages < 10_000; pages++) {
        const page = await this.#options.pages.changes(this.channelId, after, { through: catchUp.through, limit: this.#pageSize });
        this.#updateHeld(page.messages);
        if (!page.hasMore || page.rev <= after) return this.#changesDone(catchUp, page.rev);
        after = page.rev;
      }
    } catch {
      // The cursor stays where it was: the next connection asks again.
    }
  }

  #changesDone(catchUp: { through: number }, rev: number): void {
    this.#store.changeRev = Math.max(this.#store.changeRev ?? 0, rev);
    if (this.#catchUp === catchUp) this.#catchUp = null;
    this.#options.onPersist?.(this.meta(), []);
  }

  /** Once caught up, frames arrive in rev order on this socket: each one moves the change cursor. */
  #noteLiveRev(message: Message): void {
    if (this.#catchUp === null && this.#store.changeRev !== null && message.rev !== undefined) {
      this.#store.changeRev = Math.max(this.#store.changeRev, message.rev);
    }
  }

  /** `withChanges`: also catch up on edits, deletes and reactions of held messages since the change cursor. */
  #sync(after: number, withChanges = false): void {
    const frame: ChannelClientFrame = { type: "sync", after, limit: this.#pageSize };
    // Never told a cursor and holding nothing: asking after the highest rev lists nothing and returns the current one.
    if (withChanges) frame.changesAfter = this.#store.changesAfter() ?? Number.MAX_SAFE_INTEGER;
    this.#syncing = this.#send(frame);
    this.#lastSync = this.#syncing ? frame : null;
    if (withChanges) this.#catchUp = this.#syncing ? { through: after } : null;
  }
}

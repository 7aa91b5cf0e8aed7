import { batch, computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { Channel, ChannelClientFrame, ChannelServerFrame, Message, Presence, User } from "../protocol";
import { ChannelServerFrame as ChannelServerFrameSchema } from "../protocol";
import type { ConnectionStatus } from "./connection-status";
import { Emitter } from "./emitter";
import { FrameSocket, type SocketOptions } from "./frame-socket";
import type { HttpClient } from "./http-client";
import { ChannelMessages } from "./message-store";
import { Outbox, type PendingSend } from "./outbox";
import { readOnly } from "./read-only";

export interface ChannelConnectionOptions extends SocketOptions {
  http: HttpClient;
  device: string;
  channelId: string;
  /** Messages already held (kept across reconnects and re-opens); a new store otherwise. */
  store?: ChannelMessages;
  /** What is known before the welcome (from the inbox): the channel and this user's read marker. */
  known?: { channel?: Channel | null; readSeq?: number };
  /** This user's id, so that their own read marker and typing are not reported as someone else's. */
  meId?: () => string | null;
  outbox?: Outbox;
  /** How many recent messages a first sync fetches. */
  initialHistory?: number;
  syncPageSize?: number;
  /** Resend an unacknowledged send on the same socket after this long. */
  ackTimeoutMs?: number;
  /** Send at most one typing frame per this interval. */
  typingIntervalMs?: number;
  /** How long someone shows as typing after their last typing frame. */
  typingShownMs?: number;
}

/** A run of seqs missing between held messages (after a jump): both ends held. */
export interface Gap {
  after: number;
  before: number;
}

export type ChannelEvents = {
  status: ConnectionStatus;
  welcome: { channel: Channel; lastSeq: number; presence: Presence[] };
  /** Messages newly held (live, synced or older history), ascending by seq. */
  messages: Message[];
  /** A sync after (re)connect finished: nothing is missing up to `cursor`. */
  synced: { cursor: number };
  typing: { userId: string };
  receipt: { userId: string; seq: number };
  member: { event: "joined" | "left"; user: User };
  error: { code: string; message: string; clientMsgId?: string };
  /** The server closed the socket for good: 4401 (session revoked) or 4403 (not a member). */
  closed: { code: number; reason: string };
};

type ErrorFrame = Extract<ChannelServerFrame, { type: "error" }>;

/**
 * One channel's socket for one device: resumes by `sync` from the last seq
 * held after every (re)connect, de-duplicates, and resends the outbox until acked.
 * Its state is read-only signals (src/client/README.md); only its methods change it.
 */
export class ChannelConnection {
  readonly channelId: string;
  readonly events = new Emitter<ChannelEvents>();
  /** connecting, open (welcome received), closed (by the client, or for good by the server). */
  readonly status: ReadonlySignal<ConnectionStatus>;
  /** The channel (title, kind, members) as last heard; null until known. */
  readonly channel: ReadonlySignal<Channel | null>;
  readonly members: ReadonlySignal<readonly User[]>;
  /** Held messages, ascending by seq; a new array on every change. */
  readonly messages: ReadonlySignal<readonly Message[]>;
  /** Sends not acknowledged yet (state "pending") or refused for good ("failed"), oldest first. */
  readonly pending: ReadonlySignal<readonly PendingSend[]>;
  /** Ids of other members typing now. */
  readonly typing: ReadonlySignal<readonly string[]>;
  /** Read markers of other members (userId to seq), as far as the welcome and receipts told. */
  readonly receipts: ReadonlySignal<ReadonlyMap<string, number>>;
  /** This user's own read marker in this channel (0 when nothing read). */
  readonly readSeq: ReadonlySignal<number>;
  /** Presence of members as the welcome told (the inbox's is fresher for DM partners). */
  readonly presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  /** Whether older messages than those held exist on the server. */
  readonly hasOlder: ReadonlySignal<boolean>;
  /** Holes left by `loadAround`, filled by `loadGap`. */
  readonly gaps: ReadonlySignal<readonly Gap[]>;
  /** Highest seq up to which nothing is missing; null before the first sync. */
  readonly cursor: ReadonlySignal<number | null>;
  /** Highest seq the server is known to hold. */
  readonly lastSeq: ReadonlySignal<number>;
  /** True once the sync after the latest (re)connect finished: nothing missing up to the newest message. */
  readonly synced: ReadonlySignal<boolean>;

  readonly #status = signal<ConnectionStatus>("connecting");
  readonly #channel = signal<Channel | null>(null);
  readonly #messages = signal<readonly Message[]>([]);
  readonly #pending = signal<readonly PendingSend[]>([]);
  readonly #typing = signal<readonly string[]>([]);
  readonly #receipts = signal<ReadonlyMap<string, number>>(new Map());
  readonly #readSeq = signal(0);
  readonly #presence = signal<ReadonlyMap<string, Presence>>(new Map());
  readonly #hasOlder = signal(false);
  readonly #gaps = signal<readonly Gap[]>([]);
  readonly #cursor = signal<number | null>(null);
  readonly #lastSeq = signal(0);
  readonly #synced = signal(false);
  readonly #store: ChannelMessages;
  readonly #outbox: Outbox;
  readonly #meId: () => string | null;
  readonly #http: HttpClient;
  readonly #socket: FrameSocket<ChannelServerFrame>;
  readonly #initialHistory: number;
  readonly #pageSize: number;
  readonly #ackTimeoutMs: number;
  readonly #typingIntervalMs: number;
  readonly #typingShownMs: number;
  readonly #typers = new Map<string, ReturnType<typeof setTimeout>>();
  #syncing = false;
  /** The sync frame awaiting its page, to ask again if the server refuses it for now. */
  #lastSync: ChannelClientFrame | null = null;
  #openedAt = 0;
  #resendTimer: ReturnType<typeof setInterval> | undefined;
  #lastTypingAt = 0;
  #typingWanted = 0;
  #readSent = 0;
  #readWanted = 0;
  #loadingOlder: Promise<boolean> | null = null;
  /** This socket's change catch-up (held messages up to `through`); null once done, when live frames move the cursor. */
  #catchUp: { through: number } | null = null;
  /** Changes to messages not held yet, so that a page read before them cannot bring back the old state. */
  readonly #unheldChanges = new Map<number, Message>();
  readonly #unsubscribeOutbox: () => void;

  constructor(options: ChannelConnectionOptions) {
    this.channelId = options.channelId;
    this.#http = options.http;
    this.#store = options.store ?? new ChannelMessages();
    this.#outbox = options.outbox ?? new Outbox();
    this.#meId = options.meId ?? (() => null);
    this.#initialHistory = options.initialHistory ?? 50;
    this.#pageSize = options.syncPageSize ?? 100;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#typingIntervalMs = options.typingIntervalMs ?? 2_500;
    this.#typingShownMs = options.typingShownMs ?? 4_000;
    this.status = readOnly(this.#status);
    this.channel = readOnly(this.#channel);
    this.members = computed(() => this.#channel.value?.members ?? []);
    this.messages = readOnly(this.#messages);
    this.pending = readOnly(this.#pending);
    this.typing = readOnly(this.#typing);
    this.receipts = readOnly(this.#receipts);
    this.readSeq = readOnly(this.#readSeq);
    this.presence = readOnly(this.#presence);
    this.hasOlder = readOnly(this.#hasOlder);
    this.gaps = readOnly(this.#gaps);
    this.cursor = readOnly(this.#cursor);
    this.lastSeq = readOnly(this.#lastSeq);
    this.synced = readOnly(this.#synced);
    this.#channel.value = options.known?.channel ?? null;
    this.#readSeq.value = options.known?.readSeq ?? 0;
    this.#hasOlder.value = this.#store.oldestSeq > 1;
    this.#publishStore();
    this.#publishPending();
    this.#unsubscribeOutbox = this.#outbox.events.on("change", ({ channelId }) => {
      if (channelId !== this.channelId) return;
      this.#publishPending();
      this.#flush();
    });
    const token = options.http.token;
    if (!token) throw new Error("log in before opening a channel");
    this.#socket = new FrameSocket(
      options.http.socketUrl(`/channels/${encodeURIComponent(this.channelId)}/socket`, options.device),
      token,
      ChannelServerFrameSchema,
      {
        onOpen: () => {
          this.#openedAt = Date.now();
        },
        onFrame: (frame) => batch(() => this.#onFrame(frame)),
        onClose: (code, reason, willReconnect) => {
          this.#syncing = false;
          this.#lastSync = null;
          this.#stopResendTimer();
          batch(() => {
            this.#synced.value = false;
            this.#setStatus(willReconnect ? "connecting" : "closed");
          });
          if (!willReconnect && code !== 1000) this.events.emit("closed", { code, reason });
        },
        onInvalid: () => this.events.emit("error", { code: "bad_frame", message: "the server sent a frame outside the protocol" }),
      },
      options,
    );
  }

  /** The held message at `seq`, if any. */
  messageAt(seq: number): Message | undefined {
    return this.#store.bySeq(seq);
  }

  /** Queues a message in the outbox; it goes out now if the socket is open, else on reconnect. `attachments`: ids from uploadAttachment. */
  send(body: string, replyTo?: number, attachments?: string[]): PendingSend {
    return this.#outbox.add(this.channelId, body, replyTo, Date.now(), attachments);
  }

  /** Sends a failed message again, with the same clientMsgId. */
  retry(clientMsgId: string): void {
    this.#outbox.retry(clientMsgId);
  }

  /** Drops an unsent (pending or failed) message from the outbox. */
  discard(clientMsgId: string): void {
    this.#outbox.discard(clientMsgId);
  }

  /** Tells the others this user is typing, at most once per typing interval. Call it on every keystroke. */
  notifyTyping(now = Date.now()): void {
    if (now - this.#lastTypingAt < this.#typingIntervalMs) return;
    if (this.#sendFrame({ type: "typing" })) this.#lastTypingAt = now;
    else this.#typingWanted = now;
  }

  /** Moves this user's read marker forward; sent when the socket is (next) open. */
  read(seq: number): void {
    this.#readWanted = Math.max(this.#readWanted, seq);
    if (seq > this.#readSeq.peek()) this.#readSeq.value = seq;
    this.#sendRead();
  }

  /** Edits one's own message. The new version is held at once; others get it as a `changed` frame. */
  async edit(seq: number, body: string): Promise<Message> {
    return this.#applied(await this.#http.editMessage(this.channelId, seq, body));
  }

  /** Deletes one's own message: it stays in place as a tombstone. */
  async delete(seq: number): Promise<Message> {
    return this.#applied(await this.#http.deleteMessage(this.channelId, seq));
  }

  /** Sets (`on`) or clears this user's `emoji` on a message; explicit, so a retry cannot undo it. */
  async react(seq: number, emoji: string, on: boolean): Promise<Message> {
    return this.#applied(await this.#http.react(this.channelId, seq, emoji, on));
  }

  /** Adds a member to a group by handle; `channel` and `members` follow. */
  async addMember(handle: string): Promise<Channel> {
    const channel = await this.#http.addMember(this.channelId, handle);
    this.#channel.value = channel;
    return channel;
  }

  /** Removes a member (or, with one's own handle, leaves). */
  async removeMember(handle: string): Promise<void> {
    await this.#http.removeMember(this.channelId, handle);
    const channel = this.#channel.peek();
    if (channel) this.#channel.value = { ...channel, members: channel.members.filter((m) => m.handle !== handle) };
  }

  /** Fetches the channel over HTTP (title, members): a 404 `ApiError` means it is gone or one is not a member. */
  async refresh(): Promise<Channel> {
    const channel = await this.#http.channel(this.channelId);
    this.#channel.value = channel;
    return channel;
  }

  /** Full-text search of this channel, best match first. */
  search(q: string, options: { limit?: number; offset?: number } = {}): Promise<Message[]> {
    return this.#http.search(this.channelId, q, options);
  }

  /**
   * Holds the messages around `seq` (a search hit, a quoted message, a jump to
   * a mention) without loading everything between them and what is held; the
   * hole left shows in `gaps` and fills with `loadGap`. Returns whether `seq` is held.
   */
  async loadAround(seq: number, limit = 50): Promise<boolean> {
    if (this.#store.bySeq(seq)) return true;
    const half = Math.max(1, Math.ceil(limit / 2));
    const [older, newer] = await Promise.all([
      this.#http.messagesBefore(this.channelId, seq + 1, half),
      this.#http.messagesAfter(this.channelId, seq, half),
    ]);
    batch(() => {
      this.#addMessages([...older.messages, ...newer.messages], true);
      const first = older.messages[0];
      if (first && first.seq <= this.#store.oldestSeq) this.#hasOlder.value = older.hasMore && this.#store.oldestSeq > 1;
    });
    return this.#store.bySeq(seq) !== undefined;
  }

  /** Loads up to `limit` messages after held seq `after`, into a gap that `loadAround` left. */
  async loadGap(after: number, limit = 100): Promise<void> {
    const page = await this.#http.messagesAfter(this.channelId, after, limit);
    this.#addMessages(page.messages, true);
  }

  /** Loads the page of messages just before the oldest held, over HTTP. Returns whether still older ones exist. */
  loadOlder(limit = 50): Promise<boolean> {
    this.#loadingOlder ??= (async () => {
      try {
        const before = this.#store.oldestSeq;
        if (before <= 1) return (this.#hasOlder.value = false);
        const page = await this.#http.messagesBefore(this.channelId, before, limit);
        return batch(() => {
          this.#addMessages(page.messages, true);
          return (this.#hasOlder.value = page.hasMore && this.#store.oldestSeq > 1);
        });
      } finally {
        this.#loadingOlder = null;
      }
    })();
    return this.#loadingOlder;
  }

  /** Drops the current socket and connects again at once (skips the backoff wait). */
  reconnect(): void {
    this.#socket.reconnect();
  }

  close(): void {
    this.#unsubscribeOutbox();
    this.#stopResendTimer();
    for (const timer of this.#typers.values()) clearTimeout(timer);
    this.#socket.close();
    this.#setStatus("closed");
  }

  #onFrame(frame: ChannelServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.#channel.value = frame.channel;
        this.#lastSeq.value = Math.max(this.#lastSeq.peek(), frame.lastSeq);
        this.#presence.value = new Map(frame.presence.map((p) => [p.userId, p]));
        if (frame.reads) this.#noteReads(frame.reads);
        this.#setStatus("open");
        this.events.emit("welcome", { channel: frame.channel, lastSeq: frame.lastSeq, presence: frame.presence });
        this.#startSync();
        this.#flush();
        this.#readSent = 0;
        this.#sendRead();
        // Typing that started while connecting is still news if it is recent.
        if (Date.now() - this.#typingWanted < this.#typingIntervalMs) this.notifyTyping();
        return;
      case "history":
        this.#addMessages(frame.messages);
        this.#continueSync(frame.messages, frame.hasMore);
        return;
      case "message":
        this.#addMessages([frame.message]);
        this.#noteLiveRev(frame.message);
        // A live message past a hole means frames were missed: fill the hole now.
        if (!this.#syncing && (this.#store.cursor ?? 0) < frame.message.seq - 1) this.#sync(this.#store.cursor ?? 0);
        return;
      case "changed":
        // An edit, delete or reaction: the store replaces its copy by id.
        this.#updateHeld([frame.message]);
        this.#noteLiveRev(frame.message);
        return;
      case "changes":
        // The catch-up asked for by this socket's first sync.
        this.#updateHeld(frame.messages);
        if (this.#catchUp && frame.hasMore) void this.#moreChanges(this.#catchUp, frame.rev);
        else if (this.#catchUp) this.#changesDone(this.#catchUp, frame.rev);
        return;
      case "ack":
        this.#outbox.resolve(frame.clientMsgId);
        this.#addMessages([frame.message]);
        this.#noteLiveRev(frame.message);
        return;
      case "typing":
        this.#startTyping(frame.userId);
        this.events.emit("typing", { userId: frame.userId });
        return;
      case "receipt":
        this.#noteReads([frame]);
        this.events.emit("receipt", { userId: frame.userId, seq: frame.seq });
        return;
      case "member":
        this.#onMember(frame.event, frame.user);
        return;
      case "error":
        this.#onError(frame);
        return;
      case "pong":
        return;
    }
  }

  /** Read markers: this user's moves `readSeq`, the others' go to `receipts`; markers only move forward. */
  #noteReads(reads: readonly { userId: string; seq: number }[]): void {
    const me = this.#meId();
    let receipts: Map<string, number> | null = null;
    for (const { userId, seq } of reads) {
      if (userId === me) {
        if (seq > this.#readSeq.peek()) this.#readSeq.value = seq;
      } else if (seq > (this.#receipts.peek().get(userId) ?? 0)) {
        receipts ??= new Map(this.#receipts.peek());
        receipts.set(userId, seq);
      }
    }
    if (receipts) this.#receipts.value = receipts;
  }

  #startTyping(userId: string): void {
    if (userId === this.#meId()) return;
    clearTimeout(this.#typers.get(userId));
    this.#typers.set(userId, setTimeout(() => this.#stopTyping(userId), this.#typingShownMs));
    if (!this.#typing.peek().includes(userId)) this.#typing.value = [...this.#typing.peek(), userId];
  }

  #stopTyping(userId: string): void {
    if (!this.#typers.has(userId)) return;
    clearTimeout(this.#typers.get(userId));
    this.#typers.delete(userId);
    this.#typing.value = this.#typing.peek().filter((id) => id !== userId);
  }

  #onMember(event: "joined" | "left", user: User): void {
    const channel = this.#channel.peek();
    if (channel) {
      const others = channel.members.filter((m) => m.id !== user.id);
      this.#channel.value = { ...channel, members: event === "joined" ? [...others, user] : others };
    }
    this.events.emit("member", { event, user });
  }

  #onError(frame: ErrorFrame): void {
    const { code, message, clientMsgId, retryAfterMs } = frame;
    // A refused sync (over the sync budget) is asked again once the budget allows.
    if (code === "rate_limited" && clientMsgId === undefined && frame.seq === undefined && this.#lastSync) {
      const again = this.#lastSync;
      setTimeout(() => this.#lastSync === again && this.#status.value === "open" && this.#sendFrame(again), retryAfterMs ?? 1000);
    }
    if (clientMsgId && this.#outbox.has(clientMsgId)) {
      if (code === "rate_limited") this.#outbox.delay(clientMsgId, retryAfterMs ?? 1000);
      else this.#outbox.fail(clientMsgId, { code, message });
    }
    this.events.emit("error", clientMsgId ? { code, message, clientMsgId } : { code, message });
  }

  /** `fromPage`: read over HTTP, so possibly older than a change already seen live. */
  #addMessages(messages: readonly Message[], fromPage = false): void {
    if (fromPage && this.#unheldChanges.size > 0) {
      messages = messages.map((m) => {
        const changed = this.#unheldChanges.get(m.seq);
        return changed && (changed.rev ?? 0) > (m.rev ?? 0) ? changed : m;
      });
    }
    const newestBefore = this.#store.newestSeq;
    for (const m of messages) {
      if (m.seq > this.#lastSeq.peek()) this.#lastSeq.value = m.seq;
      // Our own send seen in history means it was stored even if its ack was lost.
      if (this.#outbox.has(m.clientMsgId)) this.#outbox.resolve(m.clientMsgId);
    }
    const added = this.#store.add(messages);
    if (added.length === 0) return;
    batch(() => {
      // Only new messages end "is typing"; an edit or a reaction on an old one does not.
      for (const m of added) if (m.seq > newestBefore) this.#stopTyping(m.senderId);
      this.#publishStore();
    });
    this.events.emit("messages", added);
  }

  #publishStore(): void {
    this.#messages.value = this.#store.list();
    this.#gaps.value = this.#store.gaps();
    this.#cursor.value = this.#store.cursor;
  }

  #publishPending(): void {
    this.#pending.value = this.#outbox.list(this.channelId);
  }

  #applied(message: Message): Message {
    this.#updateHeld([message]);
    return message;
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
    if (held.length > 0) this.#addMessages(held);
  }

  /** Pages of the change catch-up beyond the first, over HTTP. */
  async #moreChanges(catchUp: { through: number }, after: number): Promise<void> {
    try {
      for (let pages = 0; pages < 10_000; pages++) {
        const page = await this.#http.changes(this.channelId, after, { through: catchUp.through, limit: this.#pageSize });
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
  }

  /** Once caught up, frames arrive in rev order on this socket: each one moves the change cursor. */
  #noteLiveRev(message: Message): void {
    if (this.#catchUp === null && this.#store.changeRev !== null && message.rev !== undefined) {
      this.#store.changeRev = Math.max(this.#store.changeRev, message.rev);
    }
  }

  #startSync(): void {
    if (this.#store.cursor === null) {
      const start = Math.max(0, this.#lastSeq.peek() - this.#initialHistory);
      this.#store.startAt(start);
      this.#cursor.value = this.#store.cursor;
      this.#hasOlder.value = start > 0 && this.#store.oldestSeq > 1;
    }
    this.#sync(this.#store.cursor ?? 0, true);
  }

  /** `withChanges`: also catch up on edits, deletes and reactions of held messages since the change cursor. */
  #sync(after: number, withChanges = false): void {
    const frame: ChannelClientFrame = { type: "sync", after, limit: this.#pageSize };
    // Never told a cursor and holding nothing: asking after the highest rev lists nothing and returns the current one.
    if (withChanges) frame.changesAfter = this.#store.changesAfter() ?? Number.MAX_SAFE_INTEGER;
    this.#syncing = this.#sendFrame(frame);
    this.#lastSync = this.#syncing ? frame : null;
    if (withChanges) this.#catchUp = this.#syncing ? { through: after } : null;
  }

  #continueSync(page: readonly Message[], hasMore: boolean): void {
    const next = this.#store.nextSyncAfter(page, hasMore);
    if (next !== null) return this.#sync(next);
    this.#syncing = false;
    this.#lastSync = null;
    this.#synced.value = true;
    this.events.emit("synced", { cursor: this.#store.cursor ?? 0 });
  }

  #flush(): void {
    if (this.#status.peek() !== "open") return;
    const now = Date.now();
    for (const entry of this.#outbox.due(this.channelId, now, this.#ackTimeoutMs, this.#openedAt)) {
      const frame: ChannelClientFrame = { type: "send", clientMsgId: entry.clientMsgId, body: entry.body };
      if (entry.replyTo !== undefined) frame.replyTo = entry.replyTo;
      if (entry.attachments) frame.attachments = entry.attachments;
      if (this.#sendFrame(frame)) this.#outbox.markSent(entry.clientMsgId, now);
    }
    if (this.#outbox.list(this.channelId).some((e) => e.state === "pending")) this.#startResendTimer();
    else this.#stopResendTimer();
  }

  #sendRead(): void {
    if (this.#readWanted > this.#readSent && this.#sendFrame({ type: "read", seq: this.#readWanted })) {
      this.#readSent = this.#readWanted;
    }
  }

  #sendFrame(frame: ChannelClientFrame): boolean {
    return this.#status.peek() === "open" && this.#socket.send(frame);
  }

  #startResendTimer(): void {
    this.#resendTimer ??= setInterval(() => this.#flush(), 1000);
  }

  #stopResendTimer(): void {
    if (this.#resendTimer !== undefined) clearInterval(this.#resendTimer);
    this.#resendTimer = undefined;
  }

  #setStatus(status: ConnectionStatus): void {
    const current = this.#status.peek();
    if (current === status || current === "closed") return;
    this.#status.value = status;
    this.events.emit("status", status);
  }
}

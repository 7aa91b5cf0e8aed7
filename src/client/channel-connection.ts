import type { Channel, ChannelClientFrame, ChannelServerFrame, Message, Presence, User } from "../protocol";
import { ChannelServerFrame as ChannelServerFrameSchema } from "../protocol";
import type { ConnectionStatus } from "./connection-status";
import { Emitter } from "./emitter";
import { FrameSocket, type SocketOptions } from "./frame-socket";
import type { HttpClient } from "./http-client";
import { ChannelMessages } from "./message-store";
import { Outbox, type PendingSend } from "./outbox";

export interface ChannelConnectionOptions extends SocketOptions {
  http: HttpClient;
  device: string;
  channelId: string;
  /** Messages already held (kept across reconnects and re-opens); a new store otherwise. */
  messages?: ChannelMessages;
  outbox?: Outbox;
  /** How many recent messages a first sync fetches. */
  initialHistory?: number;
  syncPageSize?: number;
  /** Resend an unacknowledged send on the same socket after this long. */
  ackTimeoutMs?: number;
  /** Send at most one typing frame per this interval. */
  typingIntervalMs?: number;
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
 */
export class ChannelConnection {
  readonly channelId: string;
  readonly events = new Emitter<ChannelEvents>();
  readonly messages: ChannelMessages;
  readonly outbox: Outbox;
  channel: Channel | null = null;
  lastSeq = 0;
  presence = new Map<string, Presence>();
  /** Read markers of other members, as far as receipts told us. */
  receipts = new Map<string, number>();
  status: ConnectionStatus = "connecting";
  /** Whether older messages than those held exist on the server. */
  hasOlder = false;

  readonly #http: HttpClient;
  readonly #socket: FrameSocket<ChannelServerFrame>;
  readonly #initialHistory: number;
  readonly #pageSize: number;
  readonly #ackTimeoutMs: number;
  readonly #typingIntervalMs: number;
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
    this.messages = options.messages ?? new ChannelMessages();
    this.outbox = options.outbox ?? new Outbox();
    this.#initialHistory = options.initialHistory ?? 50;
    this.#pageSize = options.syncPageSize ?? 100;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.#typingIntervalMs = options.typingIntervalMs ?? 2_500;
    this.hasOlder = this.messages.oldestSeq > 1;
    this.#unsubscribeOutbox = this.outbox.events.on("change", ({ channelId }) => {
      if (channelId === this.channelId) this.#flush();
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
        onFrame: (frame) => this.#onFrame(frame),
        onClose: (code, reason, willReconnect) => {
          this.#syncing = false;
          this.#lastSync = null;
          this.#stopResendTimer();
          this.#setStatus(willReconnect ? "connecting" : "closed");
          if (!willReconnect && code !== 1000) this.events.emit("closed", { code, reason });
        },
        onInvalid: () => this.events.emit("error", { code: "bad_frame", message: "the server sent a frame outside the protocol" }),
      },
      options,
    );
  }

  /** Queues a message in the outbox; it goes out now if the socket is open, else on reconnect. */
  send(body: string, replyTo?: number): PendingSend {
    return this.outbox.add(this.channelId, body, replyTo);
  }

  /** Tells the others this user is typing, at most once per typing interval. */
  typing(now = Date.now()): void {
    if (now - this.#lastTypingAt < this.#typingIntervalMs) return;
    if (this.#sendFrame({ type: "typing" })) this.#lastTypingAt = now;
    else this.#typingWanted = now;
  }

  /** Moves this user's read marker forward; sent when the socket is (next) open. */
  read(seq: number): void {
    this.#readWanted = Math.max(this.#readWanted, seq);
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

  /** Full-text search of this channel, best match first. */
  search(q: string, options: { limit?: number; offset?: number } = {}): Promise<Message[]> {
    return this.#http.search(this.channelId, q, options);
  }

  /**
   * Holds the messages around `seq` (a search hit, a quoted message) without
   * loading everything between them and what is held; the hole left between
   * shows in `messages.gaps()` and fills with `loadGap`. Returns whether `seq` is held.
   */
  async loadAround(seq: number, limit = 50): Promise<boolean> {
    if (this.messages.bySeq(seq)) return true;
    const half = Math.max(1, Math.ceil(limit / 2));
    const [older, newer] = await Promise.all([
      this.#http.messagesBefore(this.channelId, seq + 1, half),
      this.#http.messagesAfter(this.channelId, seq, half),
    ]);
    this.#addMessages([...older.messages, ...newer.messages], true);
    const first = older.messages[0];
    if (first && first.seq <= this.messages.oldestSeq) this.hasOlder = older.hasMore && this.messages.oldestSeq > 1;
    return this.messages.bySeq(seq) !== undefined;
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
        const before = this.messages.oldestSeq;
        if (before <= 1) return (this.hasOlder = false);
        const page = await this.#http.messagesBefore(this.channelId, before, limit);
        this.#addMessages(page.messages, true);
        this.hasOlder = page.hasMore && this.messages.oldestSeq > 1;
        return this.hasOlder;
      } finally {
        this.#loadingOlder = null;
      }
    })();
    return this.#loadingOlder;
  }

  /** Pending and failed sends of this channel, oldest first. */
  pending(): PendingSend[] {
    return this.outbox.list(this.channelId);
  }

  reconnect(): void {
    this.#socket.reconnect();
  }

  close(): void {
    this.#unsubscribeOutbox();
    this.#stopResendTimer();
    this.#socket.close();
    this.#setStatus("closed");
  }

  #onFrame(frame: ChannelServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.channel = frame.channel;
        this.lastSeq = Math.max(this.lastSeq, frame.lastSeq);
        this.presence = new Map(frame.presence.map((p) => [p.userId, p]));
        // Read markers in welcome are a documented addition (docs/protocol.md); older servers omit them.
        if ("reads" in frame && Array.isArray(frame.reads)) this.#noteReads(frame.reads);
        this.#setStatus("open");
        this.events.emit("welcome", { channel: frame.channel, lastSeq: frame.lastSeq, presence: frame.presence });
        this.#startSync();
        this.#flush();
        this.#readSent = 0;
        this.#sendRead();
        // Typing that started while connecting is still news if it is recent.
        if (Date.now() - this.#typingWanted < this.#typingIntervalMs) this.typing();
        return;
      case "history":
        this.#addMessages(frame.messages);
        this.#continueSync(frame.messages, frame.hasMore);
        return;
      case "message":
        this.#addMessages([frame.message]);
        this.#noteLiveRev(frame.message);
        // A live message past a hole means frames were missed: fill the hole now.
        if (!this.#syncing && (this.messages.cursor ?? 0) < frame.message.seq - 1) this.#sync(this.messages.cursor ?? 0);
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
        this.outbox.resolve(frame.clientMsgId);
        this.#addMessages([frame.message]);
        this.#noteLiveRev(frame.message);
        return;
      case "typing":
        this.events.emit("typing", { userId: frame.userId });
        return;
      case "receipt":
        this.receipts.set(frame.userId, Math.max(this.receipts.get(frame.userId) ?? 0, frame.seq));
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

  #noteReads(reads: unknown[]): void {
    for (const r of reads) {
      if (r && typeof r === "object" && "userId" in r && "seq" in r && typeof r.userId === "string" && typeof r.seq === "number") {
        this.receipts.set(r.userId, Math.max(this.receipts.get(r.userId) ?? 0, r.seq));
      }
    }
  }

  #onMember(event: "joined" | "left", user: User): void {
    if (this.channel) {
      const others = this.channel.members.filter((m) => m.id !== user.id);
      this.channel = { ...this.channel, members: event === "joined" ? [...others, user] : others };
    }
    this.events.emit("member", { event, user });
  }

  #onError(frame: ErrorFrame): void {
    const { code, message, clientMsgId, retryAfterMs } = frame;
    // A refused sync (over the sync budget) is asked again once the budget allows.
    if (code === "rate_limited" && clientMsgId === undefined && frame.seq === undefined && this.#lastSync) {
      const again = this.#lastSync;
      setTimeout(() => this.#lastSync === again && this.status === "open" && this.#sendFrame(again), retryAfterMs ?? 1000);
    }
    if (clientMsgId && this.outbox.has(clientMsgId)) {
      if (code === "rate_limited") this.outbox.delay(clientMsgId, retryAfterMs ?? 1000);
      else this.outbox.fail(clientMsgId, { code, message });
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
    for (const m of messages) {
      this.lastSeq = Math.max(this.lastSeq, m.seq);
      // Our own send seen in history means it was stored even if its ack was lost.
      if (this.outbox.has(m.clientMsgId)) this.outbox.resolve(m.clientMsgId);
    }
    const added = this.messages.add(messages);
    if (added.length > 0) this.events.emit("messages", added);
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
      if (this.messages.has(m.id)) held.push(m);
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
    this.messages.changeRev = Math.max(this.messages.changeRev ?? 0, rev);
    if (this.#catchUp === catchUp) this.#catchUp = null;
  }

  /** Once caught up, frames arrive in rev order on this socket: each one moves the change cursor. */
  #noteLiveRev(message: Message): void {
    if (this.#catchUp === null && this.messages.changeRev !== null && message.rev !== undefined) {
      this.messages.changeRev = Math.max(this.messages.changeRev, message.rev);
    }
  }

  #startSync(): void {
    if (this.messages.cursor === null) {
      const start = Math.max(0, this.lastSeq - this.#initialHistory);
      this.messages.startAt(start);
      this.hasOlder = start > 0 && this.messages.oldestSeq > 1;
    }
    this.#sync(this.messages.cursor ?? 0, true);
  }

  /** `withChanges`: also catch up on edits, deletes and reactions of held messages since the change cursor. */
  #sync(after: number, withChanges = false): void {
    const frame: ChannelClientFrame = { type: "sync", after, limit: this.#pageSize };
    // Never told a cursor and holding nothing: asking after the highest rev lists nothing and returns the current one.
    if (withChanges) frame.changesAfter = this.messages.changesAfter() ?? Number.MAX_SAFE_INTEGER;
    this.#syncing = this.#sendFrame(frame);
    this.#lastSync = this.#syncing ? frame : null;
    if (withChanges) this.#catchUp = this.#syncing ? { through: after } : null;
  }

  #continueSync(page: readonly Message[], hasMore: boolean): void {
    const next = this.messages.nextSyncAfter(page, hasMore);
    if (next !== null) return this.#sync(next);
    this.#syncing = false;
    this.#lastSync = null;
    this.events.emit("synced", { cursor: this.messages.cursor ?? 0 });
  }

  #flush(): void {
    if (this.status !== "open") return;
    const now = Date.now();
    for (const entry of this.outbox.due(this.channelId, now, this.#ackTimeoutMs, this.#openedAt)) {
      const frame: ChannelClientFrame = { type: "send", clientMsgId: entry.clientMsgId, body: entry.body };
      if (entry.replyTo !== undefined) frame.replyTo = entry.replyTo;
      if (this.#sendFrame(frame)) this.outbox.markSent(entry.clientMsgId, now);
    }
    if (this.pending().some((e) => e.state === "pending")) this.#startResendTimer();
    else this.#stopResendTimer();
  }

  #sendRead(): void {
    if (this.#readWanted > this.#readSent && this.#sendFrame({ type: "read", seq: this.#readWanted })) {
      this.#readSent = this.#readWanted;
    }
  }

  #sendFrame(frame: ChannelClientFrame): boolean {
    return this.status === "open" && this.#socket.send(frame);
  }

  #startResendTimer(): void {
    this.#resendTimer ??= setInterval(() => this.#flush(), 1000);
  }

  #stopResendTimer(): void {
    if (this.#resendTimer !== undefined) clearInterval(this.#resendTimer);
    this.#resendTimer = undefined;
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.status === status || this.status === "closed") return;
    this.status = status;
    this.events.emit("status", status);
  }
}

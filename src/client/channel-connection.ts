import { batch, computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { Channel, ChannelClientFrame, ChannelServerFrame, Message, Presence, Summary, User } from "../protocol";
import { ChannelServerFrame as ChannelServerFrameSchema } from "../protocol";
import type { ChannelSync, Gap } from "./channel-sync";
import type { ConnectionStatus } from "./connection-status";
import { Emitter } from "./emitter";
import { FrameSocket, type SocketOptions } from "./frame-socket";
import type { HttpClient } from "./http-client";
import { Outbox, type PendingSend } from "./outbox";
import { OutboxSender } from "./outbox-sender";
import { ChannelMeta } from "./channel-meta";
import { ReadMarkers } from "./read-markers";
import { readOnly } from "./read-only";
import { Typing, type TypingOptions } from "./typing";

export interface ChannelConnectionOptions extends SocketOptions, TypingOptions {
  http: HttpClient;
  device: string;
  channelId: string;
  /** The channel's sync engine: it outlives sockets, so a re-open resumes from its cursors. */
  sync: ChannelSync;
  outbox?: Outbox;
  /** The inbox's summary of this channel, if any: the channel and this user's read marker before the welcome. */
  summary?: ReadonlySignal<Summary | undefined>;
  /** This user's id, so that their own read marker and typing are not reported as someone else's. */
  meId?: () => string | null;
  /** The socket opens once this settles: a cache being read, so the first sync asks only for the gap. */
  before?: Promise<unknown>;
  /** Resend an unacknowledged send on the same socket after this long. */
  ackTimeoutMs?: number;
}

export type { Gap };

export type ChannelEvents = {
  status: ConnectionStatus;
  welcome: { channel: Channel; lastSeq: number; presence: Presence[] };
  /** Messages newly held (live, synced, cached or older history), ascending by seq. */
  messages: readonly Message[];
  /** A sync after (re)connect finished: nothing is missing up to `cursor`. */
  synced: { cursor: number };
  typing: { userId: string };
  receipt: { userId: string; seq: number };
  member: { event: "joined" | "left"; user: User };
  error: { code: string; message: string; clientMsgId?: string };
  /** The server closed the socket for good: 4401 (session revoked) or 4403 (not a member). */
  closed: { code: number; reason: string };
};

/**
 * One open channel for one device: its socket, wired to the channel's sync
 * engine (messages and cursors), its outbox sender, read markers and typing.
 * State is read-only signals (src/client/README.md); only methods change it.
 */
export class ChannelConnection {
  readonly channelId: string;
  readonly events = new Emitter<ChannelEvents>();
  readonly status: ReadonlySignal<ConnectionStatus>;
  readonly channel: ReadonlySignal<Channel | null>;
  readonly members: ReadonlySignal<readonly User[]>;
  readonly messages: ReadonlySignal<readonly Message[]>;
  readonly pending: ReadonlySignal<readonly PendingSend[]>;
  readonly typing: ReadonlySignal<readonly string[]>;
  readonly receipts: ReadonlySignal<ReadonlyMap<string, number>>;
  readonly readSeq: ReadonlySignal<number>;
  readonly presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  readonly hasOlder: ReadonlySignal<boolean>;
  readonly gaps: ReadonlySignal<readonly Gap[]>;
  readonly cursor: ReadonlySignal<number | null>;
  readonly lastSeq: ReadonlySignal<number>;
  readonly synced: ReadonlySignal<boolean>;

  readonly #status = signal<ConnectionStatus>("connecting");
  readonly #pending = signal<readonly PendingSend[]>([]);
  readonly #http: HttpClient;
  readonly #meta: ChannelMeta;
  readonly #sync: ChannelSync;
  readonly #outbox: Outbox;
  readonly #sender: OutboxSender;
  readonly #reads: ReadMarkers;
  readonly #typing: Typing;
  readonly #cleanup: Array<() => void> = [];
  #socket: FrameSocket<ChannelServerFrame> | null = null;
  #newestSeen = 0;

  constructor(options: ChannelConnectionOptions) {
    this.channelId = options.channelId;
    this.#http = options.http;
    this.#sync = options.sync;
    this.#outbox = options.outbox ?? new Outbox();
    this.#sender = new OutboxSender(this.#outbox, this.channelId, options.ackTimeoutMs);
    const summary = options.summary;
    this.#reads = new ReadMarkers(options.meId ?? (() => null), summary && computed(() => summary.value?.readSeq ?? 0));
    this.#typing = new Typing(options);
    this.status = readOnly(this.#status);
    this.#meta = new ChannelMeta(options.http, this.channelId, summary);
    ({ channel: this.channel, members: this.members, presence: this.presence } = this.#meta);
    this.pending = readOnly(this.#pending);
    this.typing = this.#typing.typers;
    this.receipts = this.#reads.receipts;
    this.readSeq = this.#reads.readSeq;
    ({ messages: this.messages, hasOlder: this.hasOlder, gaps: this.gaps, cursor: this.cursor, lastSeq: this.lastSeq, synced: this.synced } = this.#sync);
    this.#newestSeen = this.#sync.messages.peek().at(-1)?.seq ?? 0;
    this.#pending.value = this.#outbox.list(this.channelId);
    this.#cleanup.push(
      this.#outbox.events.on("change", ({ channelId }) => {
        if (channelId !== this.channelId) return;
        this.#pending.value = this.#outbox.list(this.channelId);
        this.#sender.flush();
      }),
      this.#sync.events.on("held", (messages) => this.#held(messages)),
      this.#sync.events.on("synced", (cursor) => this.events.emit("synced", { cursor })),
    );
    const token = options.http.token;
    if (!token) throw new Error("log in before opening a channel");
    // batch=2: several messages may come in one `messages` frame, and any frames of a burst in one `frames` frame (a busy channel sends far fewer frames).
    const url = options.http.socketUrl(`/channels/${encodeURIComponent(this.channelId)}/socket`, options.device, { batch: "2" });
    const open = () => {
      if (this.#status.peek() !== "closed") this.#socket = this.#connect(url, token, options);
    };
    if (options.before) void options.before.then(open, open);
    else open();
  }

  /** The held message at `seq`, if any. */
  messageAt(seq: number): Message | undefined {
    return this.#sync.messageAt(seq);
  }

  /** Queues a message in the outbox; it goes out now if the socket is open, else on reconnect. */
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
    this.#typing.keystroke(() => this.#sendFrame({ type: "typing" }), now);
  }

  /** Moves this user's read marker forward; sent when the socket is (next) open. */
  read(seq: number): void {
    this.#reads.read(seq, (s) => this.#sendFrame({ type: "read", seq: s }));
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
  addMember(handle: string): Promise<Channel> {
    return this.#meta.addMember(handle);
  }

  /** Renames a group; `channel` follows (other members' devices get it as a `channel` frame). */
  rename(title: string): Promise<Channel> {
    return this.#meta.rename(title);
  }

  /** Removes a member (or, with one's own handle, leaves). */
  removeMember(handle: string): Promise<void> {
    return this.#meta.removeMember(handle);
  }

  /** Fetches the channel over HTTP (title, members): a 404 `ApiError` means it is gone or one is not a member. */
  refresh(): Promise<Channel> {
    return this.#meta.refresh();
  }

  /** Full-text search of this channel, best match first. */
  search(q: string, options: { limit?: number; offset?: number } = {}): Promise<Message[]> {
    return this.#http.search(this.channelId, q, options);
  }

  /** Holds the messages around `seq` (a search hit, a quote, a mention); see ChannelSync.loadAround. */
  loadAround(seq: number, limit = 50): Promise<boolean> {
    return this.#sync.loadAround(seq, limit);
  }

  /** Loads up to `limit` messages after held seq `after`, into a gap that `loadAround` left. */
  loadGap(after: number, limit = 100): Promise<void> {
    return this.#sync.loadGap(after, limit);
  }

  /** Loads the page before the oldest held, over HTTP. Returns whether still older ones exist. */
  loadOlder(limit = 50): Promise<boolean> {
    return this.#sync.loadOlder(limit);
  }

  /** Drops the current socket and connects again at once (skips the backoff wait). */
  reconnect(): void {
    this.#socket?.reconnect();
  }

  close(): void {
    for (const off of this.#cleanup.splice(0)) off();
    this.#sender.closed();
    this.#sync.disconnected();
    this.#typing.close();
    this.#socket?.close();
    this.#setStatus("closed");
  }

  #connect(url: string, token: string, options: SocketOptions): FrameSocket<ChannelServerFrame> {
    return new FrameSocket(
      url,
      token,
      ChannelServerFrameSchema,
      {
        onOpen: () => {},
        onFrame: (frame) => batch(() => this.#onFrame(frame)),
        onClose: (code, reason, willReconnect) => {
          this.#sender.closed();
          batch(() => {
            this.#sync.disconnected();
            this.#setStatus(willReconnect ? "connecting" : "closed");
          });
          if (!willReconnect && code !== 1000) this.events.emit("closed", { code, reason });
        },
        onInvalid: () => this.events.emit("error", { code: "bad_frame", message: "the server sent a frame outside the protocol" }),
      },
      options,
    );
  }

  #onFrame(frame: ChannelServerFrame): void {
    switch (frame.type) {
      case "welcome": {
        this.#meta.welcomed(frame.channel, frame.presence);
        if (frame.reads) this.#reads.note(frame.reads);
        this.#setStatus("open");
        this.events.emit("welcome", { channel: frame.channel, lastSeq: frame.lastSeq, presence: frame.presence });
        const send = (f: ChannelClientFrame) => this.#sendFrame(f);
        this.#sync.connected(frame.lastSeq, send);
        this.#sender.opened(send);
        this.#reads.reset();
        this.#reads.flush((seq) => send({ type: "read", seq }));
        this.#typing.resend(() => send({ type: "typing" }));
        return;
      }
      case "history":
        return this.#sync.history(frame);
      case "message":
        return this.#sync.live([frame.message]);
      case "messages":
        return this.#sync.live(frame.messages);
      case "changed":
        return this.#sync.changed(frame.message);
      case "changes":
        return this.#sync.changes(frame);
      case "ack":
        this.#outbox.resolve(frame.clientMsgId);
        return this.#sync.live([frame.message]);
      case "typing":
        if (frame.userId !== this.#meIdOf()) this.#typing.started(frame.userId);
        this.events.emit("typing", { userId: frame.userId });
        return;
      case "receipt":
        this.#reads.note([frame]);
        this.events.emit("receipt", { userId: frame.userId, seq: frame.seq });
        return;
      case "member":
        this.#meta.member(frame.event, frame.user);
        this.events.emit("member", { event: frame.event, user: frame.user });
        return;
      case "channel":
        this.#meta.changed(frame.channel);
        return;
      case "error":
        this.#onError(frame);
        return;
      case "pong":
        return;
    }
  }

  /** What the sync engine newly holds: the outbox and "is typing" follow, listeners hear of it. */
  #held(messages: readonly Message[]): void {
    batch(() => {
      for (const m of messages) {
        // Our own send seen in history means it was stored even if its ack was lost.
        if (this.#outbox.has(m.clientMsgId)) this.#outbox.resolve(m.clientMsgId);
        // Only new messages end "is typing"; an edit or a reaction on an old one does not.
        if (m.seq > this.#newestSeen) this.#typing.stopped(m.senderId);
        this.#newestSeen = Math.max(this.#newestSeen, m.seq);
      }
    });
    this.events.emit("messages", messages);
  }

  #meIdOf(): string | null {
    return this.#reads.meId();
  }

  #onError(frame: Extract<ChannelServerFrame, { type: "error" }>): void {
    const { code, message, clientMsgId, retryAfterMs } = frame;
    // A refused sync (over the sync budget) is asked again once the budget allows.
    if (code === "rate_limited" && clientMsgId === undefined && frame.seq === undefined) this.#sync.refused(retryAfterMs ?? 1000);
    if (clientMsgId && this.#outbox.has(clientMsgId)) {
      if (code === "rate_limited") this.#outbox.delay(clientMsgId, retryAfterMs ?? 1000);
      else this.#outbox.fail(clientMsgId, { code, message });
    }
    this.events.emit("error", clientMsgId ? { code, message, clientMsgId } : { code, message });
  }

  #applied(message: Message): Message {
    this.#sync.changed(message);
    return message;
  }

  #sendFrame(frame: ChannelClientFrame): boolean {
    return this.#status.peek() === "open" && (this.#socket?.send(frame) ?? false);
  }

  #setStatus(status: ConnectionStatus): void {
    const current = this.#status.peek();
    if (current === status || current === "closed") return;
    this.#status.value = status;
    this.events.emit("status", status);
  }
}

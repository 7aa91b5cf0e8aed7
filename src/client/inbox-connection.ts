import { batch, computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { Channel, InboxServerFrame, MlsWelcome, Presence, Summary, User } from "../protocol";
import { InboxServerFrame as InboxServerFrameSchema } from "../protocol";
import type { InboxSnapshot } from "./chat-cache";
import type { ConnectionStatus } from "./connection-status";
import { Emitter } from "./emitter";
import { FrameSocket, type SocketOptions } from "./frame-socket";
import type { HttpClient } from "./http-client";
import { readOnly } from "./read-only";

export interface InboxConnectionOptions extends SocketOptions {
  http: HttpClient;
  device: string;
  /** Whether other people's presence can be trusted now; while false `presence` is empty (unknown). */
  online?: ReadonlySignal<boolean>;
  /** What a cache kept: shown until the welcome replaces it (a reload with no network still lists the channels). */
  cached?: Promise<InboxSnapshot | null>;
  /** Where the summaries go to be kept (after each change, at most every 200 ms). */
  onPersist?(snapshot: InboxSnapshot): void;
}

export type InboxEvents = {
  status: ConnectionStatus;
  welcome: { user: User; channels: Summary[] };
  summary: Summary;
  presence: Presence;
  channel: { event: "added" | "removed"; channel: Channel };
  /** Any change to `summaries` (welcome, summary, channel added or removed). */
  change: void;
  error: { code: string; message: string };
  closed: { code: number; reason: string };
  /** A commit added devices of this user to an encrypted channel (for the e2ee module to join). */
  mlsWelcome: MlsWelcome;
  /** A device of this user published its first KeyPackages (for the e2ee module to add it where this device is). */
  mlsDevice: { device: string };
};

/**
 * The user's inbox socket for one device: channel summaries, unread counts and
 * DM partners' presence, as read-only signals (src/client/README.md).
 */
export class InboxConnection {
  readonly events = new Emitter<InboxEvents>();
  readonly status: ReadonlySignal<ConnectionStatus>;
  /** The logged-in user, from the welcome. */
  readonly user: ReadonlySignal<User | null>;
  /** One per channel the user is in, most recent activity first. */
  readonly summaries: ReadonlySignal<readonly Summary[]>;
  /** DM partners' presence by user id; empty while offline, since nobody's presence is known then. */
  readonly presence: ReadonlySignal<ReadonlyMap<string, Presence>>;
  /** Unread messages over all channels (for a tab title). */
  readonly unread: ReadonlySignal<number>;
  /** Unread mentions of this user over all channels. */
  readonly mentions: ReadonlySignal<number>;

  readonly #status = signal<ConnectionStatus>("connecting");
  readonly #user = signal<User | null>(null);
  readonly #summaries = signal<ReadonlyMap<string, Summary>>(new Map());
  readonly #presence = signal<ReadonlyMap<string, Presence>>(new Map());
  readonly #http: HttpClient;
  readonly #socket: FrameSocket<InboxServerFrame>;
  readonly #onPersist: ((snapshot: InboxSnapshot) => void) | undefined;
  #welcomed = false;
  #persistTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: InboxConnectionOptions) {
    const token = options.http.token;
    if (!token) throw new Error("log in before opening the inbox");
    this.#http = options.http;
    this.#onPersist = options.onPersist;
    void options.cached?.then(
      (snapshot) => snapshot && !this.#welcomed && this.#restore(snapshot),
      () => {}, // An unreadable cache is an empty one.
    );
    const online = options.online ?? computed(() => this.#status.value === "open");
    this.status = readOnly(this.#status);
    this.user = readOnly(this.#user);
    this.summaries = computed(() => [...this.#summaries.value.values()].sort((a, b) => activityOf(b) - activityOf(a)));
    this.presence = computed(() => (online.value ? this.#presence.value : EMPTY));
    this.unread = computed(() => this.summaries.value.reduce((n, s) => n + s.unread, 0));
    this.mentions = computed(() => this.summaries.value.reduce((n, s) => n + (s.mentions ?? 0), 0));
    this.#socket = new FrameSocket(
      options.http.socketUrl("/inbox/socket", options.device),
      token,
      InboxServerFrameSchema,
      {
        onOpen: () => {},
        onFrame: (frame) => batch(() => this.#onFrame(frame)),
        onClose: (code, reason, willReconnect) => {
          this.#setStatus(willReconnect ? "connecting" : "closed");
          if (!willReconnect && code !== 1000) this.events.emit("closed", { code, reason });
        },
        onInvalid: () => this.events.emit("error", { code: "bad_frame", message: "the server sent a frame outside the protocol" }),
      },
      options,
    );
  }

  /** The summary of one channel, if the user is in it. */
  summaryOf(channelId: string): Summary | undefined {
    return this.#summaries.peek().get(channelId);
  }

  /** Drops the current socket and connects again at once (skips the backoff wait). */
  reconnect(): void {
    this.#socket.reconnect();
  }

  close(): void {
    if (this.#persistTimer !== undefined) this.#persist();
    this.#socket.close();
    this.#setStatus("closed");
  }

  #onFrame(frame: InboxServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.#welcomed = true;
        this.#user.value = frame.user;
        this.#summaries.value = new Map(frame.channels.map((s) => [s.channel.id, s]));
        this.#setStatus("open");
        this.events.emit("welcome", { user: frame.user, channels: frame.channels });
        this.events.emit("change", undefined);
        this.#schedulePersist();
        // Presence frames only report changes: what partners are now comes over HTTP.
        void this.#fetchPresence(frame.channels.map((s) => s.channel));
        return;
      case "summary":
        this.#putSummary(frame.summary);
        this.events.emit("summary", frame.summary);
        this.events.emit("change", undefined);
        this.#schedulePersist();
        return;
      case "presence":
        this.#setPresence([frame.presence]);
        return;
      case "channel":
        if (frame.event === "removed") {
          const next = new Map(this.#summaries.peek());
          next.delete(frame.channel.id);
          this.#summaries.value = next;
        } else if (!this.#summaries.peek().has(frame.channel.id)) {
          this.#putSummary({ channel: frame.channel, lastMessage: null, lastSeq: 0, readSeq: 0, unread: 0 });
          void this.#fetchPresence([frame.channel]);
        }
        this.events.emit("channel", { event: frame.event, channel: frame.channel });
        this.events.emit("change", undefined);
        this.#schedulePersist();
        return;
      case "error":
        this.events.emit("error", { code: frame.code, message: frame.message });
        return;
      case "mls_welcome":
        this.events.emit("mlsWelcome", frame.welcome);
        return;
      case "mls_device":
        this.events.emit("mlsDevice", { device: frame.device });
        return;
      case "pong":
        return;
    }
  }

  #restore(snapshot: InboxSnapshot): void {
    batch(() => {
      this.#user.value = snapshot.user;
      this.#summaries.value = new Map(snapshot.summaries.map((s) => [s.channel.id, s]));
    });
    this.events.emit("change", undefined);
  }

  #schedulePersist(): void {
    if (this.#onPersist && this.#welcomed) this.#persistTimer ??= setTimeout(() => this.#persist(), 200);
  }

  #persist(): void {
    clearTimeout(this.#persistTimer);
    this.#persistTimer = undefined;
    const user = this.#user.peek();
    if (user) this.#onPersist?.({ user, summaries: [...this.#summaries.peek().values()] });
  }

  #putSummary(summary: Summary): void {
    this.#summaries.value = new Map(this.#summaries.peek()).set(summary.channel.id, summary);
  }

  async #fetchPresence(channels: readonly Channel[]): Promise<void> {
    const me = this.#user.peek()?.id;
    const partners = new Set<string>();
    for (const c of channels) if (c.kind === "dm") for (const m of c.members) if (m.id !== me) partners.add(m.id);
    try {
      this.#setPresence(await this.#http.presence([...partners]));
    } catch {
      // Unknown until the partner's next change or the next welcome.
    }
  }

  #setPresence(list: readonly Presence[]): void {
    const current = this.#presence.peek();
    const changed = list.filter((p) => {
      const old = current.get(p.userId);
      return !old || old.state !== p.state || old.lastSeenAt !== p.lastSeenAt;
    });
    if (changed.length === 0) return;
    const next = new Map(current);
    for (const p of changed) next.set(p.userId, p);
    this.#presence.value = next;
    for (const p of changed) this.events.emit("presence", p);
  }

  #setStatus(status: ConnectionStatus): void {
    const current = this.#status.peek();
    if (current === status || current === "closed") return;
    this.#status.value = status;
    this.events.emit("status", status);
  }
}

const EMPTY: ReadonlyMap<string, Presence> = new Map();

function activityOf(s: Summary): number {
  return s.lastMessage?.createdAt ?? s.channel.createdAt;
}

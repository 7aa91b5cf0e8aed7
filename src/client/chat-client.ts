import { computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { User } from "../protocol";
import { ChannelConnection, type ChannelConnectionOptions } from "./channel-connection";
import { ChannelSync, type ChannelSyncOptions } from "./channel-sync";
import { whenOpen, type ChatCache } from "./chat-cache";
import { connectionState, type ConnectionState, type ConnectionStateOptions } from "./connection-state";
import type { SocketOptions } from "./frame-socket";
import { HttpClient } from "./http-client";
import { newDeviceId } from "./ids";
import { InboxConnection } from "./inbox-connection";
import { Outbox, type OutboxStorage } from "./outbox";

export interface ChatClientOptions extends SocketOptions, ConnectionStateOptions {
  baseUrl: string;
  token?: string | null;
  /** The logged-in user when known before the inbox's welcome (a stored session). */
  user?: User | null;
  /** This device's name; a fresh one when absent. */
  device?: string;
  fetch?: typeof fetch;
  /** Keeps messages, cursors, summaries and the outbox across reloads (`openIdbCache`, `MemoryCache`); nothing kept when absent. */
  cache?: ChatCache | Promise<ChatCache>;
  /** Where the outbox is kept, when not in `cache`. */
  outboxStorage?: OutboxStorage;
  channel?: Pick<ChannelConnectionOptions, "ackTimeoutMs" | "typingIntervalMs" | "typingShownMs"> & Pick<ChannelSyncOptions, "initialHistory" | "syncPageSize">;
}

/**
 * One device of one user: the HTTP client, the inbox socket, a socket per open
 * channel, the outbox, and a sync engine per channel that outlives its
 * sockets (so re-opening a channel syncs only the gap), kept in `cache`.
 */
export class ChatClient {
  readonly http: HttpClient;
  readonly device: string;
  /** online, connecting or offline, as the user should be told (README: "Connection"). */
  readonly connection: ReadonlySignal<ConnectionState>;
  /** The logged-in user: from the options, the inbox (welcome or cache), or signup and login. */
  readonly me: ReadonlySignal<User | null>;
  /** Unsent messages over all channels. */
  readonly unsent: ReadonlySignal<number>;
  readonly #options: ChatClientOptions;
  readonly #cache: ChatCache | undefined;
  readonly #outbox: Outbox;
  readonly #inbox = signal<InboxConnection | null>(null);
  readonly #channels = signal<ReadonlyMap<string, ChannelConnection>>(new Map());
  /** Channels the app opened (the others are open only until their outbox is empty). */
  readonly #wanted = new Set<string>();
  readonly #syncs = new Map<string, { sync: ChannelSync; restored: Promise<unknown> }>();
  readonly #me = signal<User | null>(null);
  readonly #unsent = signal(0);
  readonly #disposeConnection: () => void;

  constructor(options: ChatClientOptions) {
    this.#options = options;
    this.#cache = options.cache instanceof Promise ? whenOpen(options.cache) : options.cache;
    this.http = new HttpClient({ baseUrl: options.baseUrl, token: options.token ?? null, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.device = options.device ?? newDeviceId();
    const cache = this.#cache;
    this.#outbox = new Outbox(
      options.outboxStorage ??
        (cache && { load: () => cache.loadOutbox(this.device), save: (entries) => cache.saveOutbox(this.device, entries) }),
    );
    this.#me.value = options.user ?? null;
    this.me = computed(() => this.#inbox.value?.user.value ?? this.#me.value);
    this.unsent = computed(() => this.#unsent.value);
    this.#outbox.events.on("change", () => this.#outboxChanged());
    void this.#outbox.ready.then(() => this.#outboxChanged());
    // The inbox alone says whether the network works; without one, any channel socket does.
    const statuses = computed(() => {
      const inbox = this.#inbox.value;
      return inbox ? [inbox.status.value] : [...this.#channels.value.values()].map((c) => c.status.value);
    });
    const { state, dispose } = connectionState(statuses, () => this.reconnectAll(), options);
    this.connection = state;
    this.#disposeConnection = dispose;
  }

  /** Signs up and keeps the session: sockets opened afterwards use its token. */
  async signup(...args: Parameters<HttpClient["signup"]>): Promise<User> {
    return (this.#me.value = (await this.http.signup(...args)).user);
  }

  async login(...args: Parameters<HttpClient["login"]>): Promise<User> {
    return (this.#me.value = (await this.http.login(...args)).user);
  }

  /** Ends the session on the server, closes every socket and forgets what the cache kept. */
  async logout(): Promise<void> {
    try {
      await this.http.logout();
    } finally {
      this.close();
      await this.#cache?.clear().catch(() => {});
    }
  }

  /** The inbox, if `connectInbox` was called. */
  get inbox(): InboxConnection | null {
    return this.#inbox.peek();
  }

  connectInbox(): InboxConnection {
    let inbox = this.#inbox.peek();
    if (!inbox) {
      const cache = this.#cache;
      inbox = new InboxConnection({
        ...this.#options,
        http: this.http,
        device: this.device,
        online: computed(() => this.connection.value === "online"),
        ...(cache && {
          cached: cache.loadInbox(),
          onPersist: (snapshot) => void cache.saveInbox(snapshot).catch(() => {}),
        }),
      });
      this.#inbox.value = inbox;
    }
    return inbox;
  }

  /** The open connection of a channel, opening it if needed. */
  channel(channelId: string): ChannelConnection {
    this.#wanted.add(channelId);
    return this.#open(channelId);
  }

  openChannels(): ChannelConnection[] {
    return [...this.#channels.peek().values()];
  }

  /** Channels whose outbox is not empty (they are kept open by themselves until it is). */
  channelsWithUnsent(): string[] {
    return this.#outbox.channelIds();
  }

  /** The app no longer shows the channel: its socket closes, unless unsent messages still have to go out. */
  closeChannel(channelId: string): void {
    this.#wanted.delete(channelId);
    if (!this.#hasPending(channelId)) this.#close(channelId);
  }

  /** Skips the backoff wait. Done by itself on the browser's `online` event. */
  reconnectAll(): void {
    this.inbox?.reconnect();
    for (const c of this.#channels.peek().values()) c.reconnect();
  }

  close(): void {
    this.#disposeConnection();
    this.inbox?.close();
    this.#inbox.value = null;
    for (const c of this.#channels.peek().values()) c.close();
    this.#channels.value = new Map();
    this.#wanted.clear();
  }

  #open(channelId: string): ChannelConnection {
    let connection = this.#channels.peek().get(channelId);
    if (connection && connection.status.peek() !== "closed") return connection;
    const { sync, restored } = this.#syncOf(channelId);
    connection = new ChannelConnection({
      ...this.#options,
      ...this.#options.channel,
      http: this.http,
      device: this.device,
      channelId,
      sync,
      outbox: this.#outbox,
      summary: computed(() => this.#inbox.value?.summaries.value.find((s) => s.channel.id === channelId)),
      meId: () => this.me.peek()?.id ?? null,
      before: restored,
    });
    this.#channels.value = new Map(this.#channels.peek()).set(channelId, connection);
    return connection;
  }

  #close(channelId: string): void {
    const channels = new Map(this.#channels.peek());
    channels.get(channelId)?.close();
    if (channels.delete(channelId)) this.#channels.value = channels;
  }

  /** The channel's sync engine, made once and first filled from the cache. */
  #syncOf(channelId: string): { sync: ChannelSync; restored: Promise<unknown> } {
    let entry = this.#syncs.get(channelId);
    if (entry) return entry;
    const cache = this.#cache;
    const { initialHistory, syncPageSize } = this.#options.channel ?? {};
    const sync = new ChannelSync({
      channelId,
      ...(initialHistory !== undefined && { initialHistory }),
      ...(syncPageSize !== undefined && { syncPageSize }),
      pages: this.http,
      ...(cache && { onPersist: (meta, changed) => void cache.saveChannel(channelId, meta, changed).catch(() => {}) }),
    });
    const restored = cache
      ? cache.loadChannel(channelId).then(
          (snapshot) => snapshot && sync.restore(snapshot),
          () => {}, // An unreadable cache is an empty one: the sync fetches recent history.
        )
      : Promise.resolve();
    this.#syncs.set(channelId, (entry = { sync, restored }));
    return entry;
  }

  /** Unsent messages keep their channel's socket open; an empty outbox lets background ones close. */
  #outboxChanged(): void {
    this.#unsent.value = this.#outbox.size;
    if (!this.http.token) return;
    for (const channelId of this.#outbox.channelIds()) if (this.#hasPending(channelId)) this.#open(channelId);
    for (const channelId of this.#channels.peek().keys()) {
      if (!this.#wanted.has(channelId) && !this.#hasPending(channelId)) this.#close(channelId);
    }
  }

  #hasPending(channelId: string): boolean {
    return this.#outbox.list(channelId).some((e) => e.state === "pending");
  }
}

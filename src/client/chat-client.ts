import { computed, signal, type ReadonlySignal } from "@preact/signals-core";
import type { User } from "../protocol";
import { ChannelConnection, type ChannelConnectionOptions } from "./channel-connection";
import { connectionState, type ConnectionState, type ConnectionStateOptions } from "./connection-state";
import type { SocketOptions } from "./frame-socket";
import { HttpClient } from "./http-client";
import { newDeviceId } from "./ids";
import { InboxConnection } from "./inbox-connection";
import { ChannelMessages } from "./message-store";
import { Outbox, type OutboxStorage } from "./outbox";

export interface ChatClientOptions extends SocketOptions, ConnectionStateOptions {
  baseUrl: string;
  token?: string | null;
  /** The logged-in user when known before the inbox's welcome (a stored session). */
  user?: User | null;
  /** This device's name; a fresh one when absent. */
  device?: string;
  fetch?: typeof fetch;
  outboxStorage?: OutboxStorage;
  channel?: Pick<ChannelConnectionOptions, "initialHistory" | "syncPageSize" | "ackTimeoutMs" | "typingIntervalMs" | "typingShownMs">;
}

/**
 * One device of one user: the HTTP client, the inbox socket, a socket per open
 * channel, and the outbox and message stores they share. Message stores
 * outlive channel sockets, so re-opening a channel resumes from its cursor.
 */
export class ChatClient {
  readonly http: HttpClient;
  readonly device: string;
  /** online, connecting or offline, as the user should be told (README: "Connection"). */
  readonly connection: ReadonlySignal<ConnectionState>;
  /** The logged-in user: from the options, the inbox's welcome, or signup and login. */
  readonly me: ReadonlySignal<User | null>;
  /** Unsent messages over all channels. */
  readonly unsent: ReadonlySignal<number>;
  readonly #options: ChatClientOptions;
  readonly #outbox: Outbox;
  readonly #inbox = signal<InboxConnection | null>(null);
  readonly #channels = signal<ReadonlyMap<string, ChannelConnection>>(new Map());
  readonly #stores = new Map<string, ChannelMessages>();
  readonly #me = signal<User | null>(null);
  readonly #unsent = signal(0);
  readonly #disposeConnection: () => void;

  constructor(options: ChatClientOptions) {
    this.#options = options;
    this.http = new HttpClient({ baseUrl: options.baseUrl, token: options.token ?? null, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.device = options.device ?? newDeviceId();
    this.#outbox = new Outbox(options.outboxStorage);
    this.#me.value = options.user ?? null;
    this.me = computed(() => this.#inbox.value?.user.value ?? this.#me.value);
    this.#unsent.value = this.#outbox.size;
    this.#outbox.events.on("change", () => (this.#unsent.value = this.#outbox.size));
    this.unsent = computed(() => this.#unsent.value);
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

  /** The inbox, if `connectInbox` was called. */
  get inbox(): InboxConnection | null {
    return this.#inbox.peek();
  }

  connectInbox(): InboxConnection {
    let inbox = this.#inbox.peek();
    if (!inbox) {
      inbox = new InboxConnection({
        ...this.#options,
        http: this.http,
        device: this.device,
        online: computed(() => this.connection.value === "online"),
      });
      this.#inbox.value = inbox;
    }
    return inbox;
  }

  /** The open connection of a channel, opening it if needed. */
  channel(channelId: string): ChannelConnection {
    let connection = this.#channels.peek().get(channelId);
    if (!connection || connection.status.peek() === "closed") {
      let store = this.#stores.get(channelId);
      if (!store) this.#stores.set(channelId, (store = new ChannelMessages()));
      const summary = this.inbox?.summaryOf(channelId);
      connection = new ChannelConnection({
        ...this.#options,
        ...this.#options.channel,
        http: this.http,
        device: this.device,
        channelId,
        store,
        outbox: this.#outbox,
        known: { channel: summary?.channel ?? null, readSeq: summary?.readSeq ?? 0 },
        meId: () => this.me.peek()?.id ?? null,
      });
      this.#channels.value = new Map(this.#channels.peek()).set(channelId, connection);
    }
    return connection;
  }

  openChannels(): ChannelConnection[] {
    return [...this.#channels.peek().values()];
  }

  /** Channels with unsent messages (e.g. from before a reload): open them so the messages go out. */
  channelsWithUnsent(): string[] {
    return this.#outbox.channelIds();
  }

  closeChannel(channelId: string): void {
    const channels = new Map(this.#channels.peek());
    channels.get(channelId)?.close();
    channels.delete(channelId);
    this.#channels.value = channels;
  }

  /** Skips the backoff wait, e.g. when the browser reports it is online again (done by itself in browsers). */
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
  }
}

import { ChannelConnection, type ChannelConnectionOptions } from "./channel-connection";
import type { SocketOptions } from "./frame-socket";
import { HttpClient } from "./http-client";
import { newDeviceId } from "./ids";
import { InboxConnection } from "./inbox-connection";
import { ChannelMessages } from "./message-store";
import { Outbox, type OutboxStorage } from "./outbox";

export interface ChatClientOptions extends SocketOptions {
  baseUrl: string;
  token?: string | null;
  /** This device's name; a fresh one when absent. */
  device?: string;
  fetch?: typeof fetch;
  outboxStorage?: OutboxStorage;
  channel?: Pick<ChannelConnectionOptions, "initialHistory" | "syncPageSize" | "ackTimeoutMs" | "typingIntervalMs">;
}

/**
 * One device of one user: the HTTP client, the inbox socket, a socket per open
 * channel, and the outbox and message stores they share. Message stores
 * outlive channel sockets, so re-opening a channel resumes from its cursor.
 */
export class ChatClient {
  readonly http: HttpClient;
  readonly device: string;
  readonly outbox: Outbox;
  inbox: InboxConnection | null = null;
  readonly #options: ChatClientOptions;
  readonly #channels = new Map<string, ChannelConnection>();
  readonly #stores = new Map<string, ChannelMessages>();

  constructor(options: ChatClientOptions) {
    this.#options = options;
    this.http = new HttpClient({ baseUrl: options.baseUrl, token: options.token ?? null, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.device = options.device ?? newDeviceId();
    this.outbox = new Outbox(options.outboxStorage);
  }

  connectInbox(): InboxConnection {
    this.inbox ??= new InboxConnection({ ...this.#options, http: this.http, device: this.device });
    return this.inbox;
  }

  /** The open connection of a channel, opening it if needed. */
  channel(channelId: string): ChannelConnection {
    let connection = this.#channels.get(channelId);
    if (!connection || connection.status === "closed") {
      let messages = this.#stores.get(channelId);
      if (!messages) this.#stores.set(channelId, (messages = new ChannelMessages()));
      connection = new ChannelConnection({
        ...this.#options,
        ...this.#options.channel,
        http: this.http,
        device: this.device,
        channelId,
        messages,
        outbox: this.outbox,
      });
      this.#channels.set(channelId, connection);
    }
    return connection;
  }

  openChannels(): ChannelConnection[] {
    return [...this.#channels.values()];
  }

  closeChannel(channelId: string): void {
    this.#channels.get(channelId)?.close();
    this.#channels.delete(channelId);
  }

  /** Skips the backoff wait, e.g. when the browser reports it is online again. */
  reconnectAll(): void {
    this.inbox?.reconnect();
    for (const c of this.#channels.values()) c.reconnect();
  }

  close(): void {
    this.inbox?.close();
    this.inbox = null;
    for (const c of this.#channels.values()) c.close();
    this.#channels.clear();
  }
}

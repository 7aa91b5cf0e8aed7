import { computed, signal, type ReadonlySignal } from "@preact/signals";
import { ApiError, ChatClient, type ChannelConnection, type User } from "../src/client";
import type { Channel } from "../src/protocol";
import { dmPartner } from "./names";
import { channelView, inboxView, outboxSize, type ChannelView, type InboxView } from "./sdk-adapter";
import { deviceId, outboxStorage } from "./session";

/**
 * One signed-in device, outside any component: the SDK client, the inbox as
 * signals, the channel being looked at, and whether everything is connected.
 */
export class ChatSession {
  readonly client: ChatClient;
  readonly inbox: InboxView;
  readonly pendingCount: ReadonlySignal<number>;
  /** True while the inbox and every open channel socket are up. */
  readonly connected: ReadonlySignal<boolean>;
  /** Set when the server ended the session (a socket closed with 4401). */
  readonly ended = signal(false);
  readonly #statusTick = signal(0);
  readonly #watched = new WeakSet<ChannelConnection>();
  readonly #views = new Map<string, ChannelView>();
  readonly #knownPartners = new Set<string>();
  readonly #offs: Array<() => void> = [];
  #currentId: string | null = null;

  constructor(
    token: string,
    readonly me: User,
  ) {
    this.client = new ChatClient({ baseUrl: "", token, device: deviceId(), outboxStorage });
    const inbox = this.client.connectInbox();
    this.inbox = inboxView(inbox);
    const outbox = outboxSize(this.client);
    this.pendingCount = outbox.size;
    this.connected = computed(() => {
      this.#statusTick.value;
      return this.inbox.status.value === "open" && this.client.openChannels().every((c) => c.status !== "connecting");
    });
    this.#offs.push(
      this.inbox.dispose,
      outbox.dispose,
      inbox.events.on("change", () => void this.#refreshPresence()),
      inbox.events.on("closed", ({ code }) => code === 4401 && (this.ended.value = true)),
      this.client.outbox.events.on("change", () => this.#closeIdleChannels()),
    );
    // Channels with unsent messages from before a reload get their sockets back.
    for (const channelId of this.client.outbox.channelIds()) this.#open(channelId);
    const onOnline = () => this.client.reconnectAll();
    window.addEventListener("online", onOnline);
    this.#offs.push(() => window.removeEventListener("online", onOnline));
  }

  /** Opens the channel being looked at; the others close once their unsent messages are out. */
  show(channelId: string | null): ChannelView | null {
    this.#currentId = channelId;
    this.#closeIdleChannels();
    if (!channelId) return null;
    return this.#viewOf(this.#open(channelId));
  }

  /**
   * A socket refused for a channel one is not in looks like a network error to
   * a browser, so the channel is also asked for over HTTP: false for a 404.
   */
  async check(view: ChannelView): Promise<boolean> {
    try {
      view.noteChannel(await this.client.http.channel(view.conn.channelId));
      return true;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) return true;
      this.client.closeChannel(view.conn.channelId);
      this.#statusTick.value++;
      return false;
    }
  }

  async addMember(channelId: string, handle: string): Promise<void> {
    const channel = await this.client.http.addMember(channelId, handle.replace(/^@/, ""));
    this.#views.get(channelId)?.noteChannel(channel);
  }

  close(): void {
    for (const v of this.#views.values()) v.dispose();
    for (const off of this.#offs) off();
    this.client.close();
  }

  #open(channelId: string): ChannelConnection {
    const conn = this.client.channel(channelId);
    if (!this.#watched.has(conn)) {
      this.#watched.add(conn);
      conn.events.on("status", () => this.#statusTick.value++);
      this.#statusTick.value++;
    }
    return conn;
  }

  /** One view per connection: a re-opened channel (new connection) gets a new one. */
  #viewOf(conn: ChannelConnection): ChannelView {
    const old = this.#views.get(conn.channelId);
    if (old?.conn === conn) return old;
    old?.dispose();
    const fromInbox = computed<Channel | null>(() => this.inbox.summaries.value.find((s) => s.channel.id === conn.channelId)?.channel ?? null);
    const view = channelView(conn, fromInbox);
    this.#views.set(conn.channelId, view);
    return view;
  }

  /** Closes background channels whose unsent messages have all gone out. */
  #closeIdleChannels(): void {
    for (const c of this.client.openChannels()) {
      if (c.channelId !== this.#currentId && c.pending().length === 0) {
        this.client.closeChannel(c.channelId);
        this.#views.get(c.channelId)?.dispose();
        this.#views.delete(c.channelId);
        this.#statusTick.value++;
      }
    }
  }

  async #refreshPresence(): Promise<void> {
    const inbox = this.client.inbox;
    if (!inbox) return;
    const partners = inbox
      .sortedSummaries()
      .map((s) => dmPartner(s.channel, this.me.id)?.id)
      .filter((id): id is string => id !== undefined && id !== this.me.id && !this.#knownPartners.has(id));
    if (partners.length === 0) return;
    for (const id of partners) this.#knownPartners.add(id);
    try {
      inbox.notePresence(await this.client.http.presence(partners));
    } catch {
      for (const id of partners) this.#knownPartners.delete(id);
    }
  }
}

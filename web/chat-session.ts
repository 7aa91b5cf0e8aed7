import { signal } from "@preact/signals";
import { ApiError, ChatClient, openIdbCache, uploadAttachment, type AttachmentUploadOptions, type ChannelConnection, type InboxConnection, type User } from "../src/client";
import type { UploadedAttachment } from "../src/protocol";
import { Encryption } from "./encryption";
import { deviceId, outboxStorage } from "./session";

/**
 * One signed-in device, outside any component: the SDK client and its inbox
 * (components read their signals), which channel is on screen, and the
 * sockets of the others closed once their unsent messages are out. Nothing
 * here writes SDK state; it calls SDK methods.
 */
export class ChatSession {
  readonly client: ChatClient;
  readonly inbox: InboxConnection;
  /** This device's MLS member state, for end-to-end encrypted channels. */
  readonly e2ee: Encryption;
  /** Set when the server ended the session (the inbox closed with 4401). */
  readonly ended = signal(false);
  readonly #offs: Array<() => void> = [];
  #currentId: string | null = null;

  constructor(
    token: string,
    readonly me: User,
  ) {
    // What was read stays in IndexedDB: a channel opens at once and syncs only the gap, and a
    // reload without network still shows the cached channels and messages.
    this.client = new ChatClient({ baseUrl: "", token, user: me, device: deviceId(), outboxStorage, cache: openIdbCache(me.id) });
    this.inbox = this.client.connectInbox();
    this.e2ee = new Encryption(this.client, me, this.inbox);
    this.#offs.push(
      this.inbox.events.on("closed", ({ code }) => code === 4401 && (this.ended.value = true)),
      this.client.unsent.subscribe(() => this.#closeIdleChannels()),
    );
    // Channels with unsent messages from before a reload get their sockets back.
    for (const channelId of this.client.channelsWithUnsent()) this.client.channel(channelId);
  }

  /** Opens the channel being looked at; the others close once their unsent messages are out. */
  show(channelId: string | null): ChannelConnection | null {
    this.#currentId = channelId;
    this.#closeIdleChannels();
    return channelId ? this.client.channel(channelId) : null;
  }

  /**
   * A socket refused for a channel one is not in looks like a network error to
   * a browser, so the channel is also asked for over HTTP: false for a 404.
   */
  async check(conn: ChannelConnection): Promise<boolean> {
    try {
      await conn.refresh();
      return true;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) return true;
      this.client.closeChannel(conn.channelId);
      return false;
    }
  }

  /** Uploads a file to a channel with this session's token (progress through XMLHttpRequest). */
  upload(channelId: string, o: Omit<AttachmentUploadOptions, "baseUrl" | "token" | "channelId">): Promise<UploadedAttachment> {
    return uploadAttachment({ ...o, baseUrl: "", token: this.client.http.token ?? "", channelId });
  }

  close(): void {
    for (const off of this.#offs) off();
    this.client.close();
  }

  /** Closes background channels whose unsent messages have all gone out. */
  #closeIdleChannels(): void {
    for (const c of this.client.openChannels()) {
      if (c.channelId !== this.#currentId && c.pending.peek().length === 0) this.client.closeChannel(c.channelId);
    }
  }
}

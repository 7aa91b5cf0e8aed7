import { signal, type Signal } from "@preact/signals";
import { ApiError, type ChatClient, type InboxConnection, type Message, type User } from "../src/client";
import { E2eeSession, EncryptedIdbStore, MlsDevice, type Received, type SealedContent, type SealedFile } from "../src/client/e2ee";
import { MENTION_PATTERN, type UploadedAttachment } from "../src/protocol";
import { uploadSealed } from "./sealed-files";
import type { Uploader } from "./upload-queue";
import { applyContent, type Views } from "./e2ee-views";
import { matchesQuery } from "./rich-text";

/** A member device and its safety code, for the verify view. */
export interface DeviceCode {
  userId: string;
  device: string;
  own: boolean;
  code: string;
}

/** Users whose new devices a member checks for when opening an encrypted channel (one KeyPackage claim each). */
const NEW_DEVICE_CHECKS = 10;

const viewKey = (channelId: string, seq: number) => `view:${channelId}:${seq}`;

/**
 * This device's end-to-end encryption, for the web app: its MLS identity and
 * sealed IndexedDB store, KeyPackages kept published, Welcomes joined as they
 * come, and per encrypted channel a Conversation of what it decrypted.
 */
export class Encryption {
  readonly #session: Promise<E2eeSession>;
  readonly #conversations = new Map<string, Conversation>();

  constructor(
    client: ChatClient,
    readonly me: User,
    inbox: InboxConnection,
  ) {
    this.#session = (async () => {
      const store = await EncryptedIdbStore.open(me.id, client.device);
      const device = await MlsDevice.open(me.id, client.device, store);
      const session = new E2eeSession(device, (method, path, body) => client.http.json(method, path, body));
      session.events.on("received", ({ channelId, message, received }) => this.#conversations.get(channelId)?.received(message, received));
      return session;
    })();
    void this.#session.then(async (s) => {
      await s.publishKeyPackages().catch(() => undefined);
      await this.#joinWelcomed();
    });
    inbox.events.on("mlsWelcome", () => void this.#joinWelcomed());
    inbox.events.on("mlsDevice", ({ device }) => void (device !== client.device && this.#addOwnDevices()));
  }

  /** The conversation of an encrypted channel, its decrypted copy loaded from the store. */
  async conversation(channelId: string): Promise<Conversation> {
    let c = this.#conversations.get(channelId);
    if (!c) {
      const session = await this.#session;
      c = this.#conversations.get(channelId);
      if (!c) {
        c = new Conversation(session, channelId);
        this.#conversations.set(channelId, c);
        await c.load();
      }
    }
    await c.loaded;
    return c;
  }

  /** An encrypted group with these members (every device of theirs that published KeyPackages). */
  async createGroup(title: string, handles: string[]): Promise<string> {
    const session = await this.#session;
    const { channel } = await session.createGroup(title);
    const c = await this.conversation(channel.id);
    if (handles.length > 0) await c.add(handles);
    return channel.id;
  }

  /** The encrypted DM with `handle`; its other devices and the peer's are added if not in it yet. */
  async openDm(handle: string): Promise<string> {
    const session = await this.#session;
    const { channel, group } = await session.createDm(handle);
    const c = await this.conversation(channel.id);
    if (!group.members().some((m) => m.userId !== this.me.id)) await c.add([handle]);
    return channel.id;
  }

  /** Before logging out: this device leaves the groups its user's other devices stay in, and drops its KeyPackages. */
  async logOut(): Promise<void> {
    await (await this.#session).logOut();
  }

  /** Another device of this user published its first KeyPackages: it joins every encrypted channel this one is in. */
  async #addOwnDevices(): Promise<void> {
    const session = await this.#session;
    for (const channelId of await session.channelIds()) await session.addNewDevices(channelId, [this.me.id]).catch(() => undefined);
  }

  async #joinWelcomed(): Promise<void> {
    const session = await this.#session;
    const joined = await session.joinWelcomed().catch(() => []);
    for (const g of joined) this.#conversations.get(g.channelId)?.joined().catch(() => undefined);
  }
}

/** One encrypted channel on this device: its decrypted messages, and sending through MLS. */
export class Conversation {
  /** Decrypted messages by seq, their current versions. */
  readonly views: Signal<ReadonlyMap<number, Message>> = signal(new Map());
  /** The highest seq this device processed; Infinity when it is not in the group (nothing can be read). */
  readonly processed = signal(0);
  /** False when this device is not in the group (not added yet, or removed). */
  readonly inGroup = signal(true);
  loaded: Promise<void> = Promise.resolve();
  readonly #views: Views = new Map();
  /** Files uploaded and not sent yet, with their keys, by attachment id. */
  readonly #unsent = new Map<string, SealedFile>();
  #saving: Promise<unknown> = Promise.resolve();
  #syncing: Promise<void> | null = null;
  #again = false;

  constructor(
    private readonly session: E2eeSession,
    readonly channelId: string,
  ) {}

  load(): Promise<void> {
    this.loaded = (async () => {
      const store = this.session.device.store;
      for (const key of await store.keys(`view:${this.channelId}:`)) {
        const bytes = await store.get(key);
        if (bytes) {
          const m = JSON.parse(new TextDecoder().decode(bytes)) as Message;
          this.#views.set(m.seq, m);
        }
      }
      this.views.value = new Map(this.#views);
      await this.#refreshMembership();
      void this.#addNewDevices();
    })();
    return this.loaded;
  }

  /** Called for each message the session processed, in order (also inside a commit's catch-up). */
  received(message: Message, r: Received): void {
    this.processed.value = Math.max(this.processed.peek() === Infinity ? 0 : this.processed.peek(), message.seq);
    if (r.kind !== "content") return;
    const seq = applyContent(this.#views, message, r.content);
    if (seq === undefined) return;
    const view = this.#views.get(seq)!;
    this.views.value = new Map(this.#views);
    // In order, so a later version of a message never lands under an earlier one.
    this.#saving = this.#saving.then(() => this.session.device.store.set(viewKey(this.channelId, seq), new TextEncoder().encode(JSON.stringify(view)))).catch(() => undefined);
  }

  /** Reads what the room holds past this device's cursor; calls made meanwhile run once more after. */
  sync(): Promise<void> {
    if (this.#syncing) {
      this.#again = true;
      return this.#syncing;
    }
    this.#syncing = (async () => {
      try {
        do {
          this.#again = false;
          if (!(await this.session.open(this.channelId))) return;
          await this.session.sync(this.channelId);
        } while (this.#again);
      } finally {
        this.#syncing = null;
      }
    })();
    return this.#syncing;
  }

  /** This device just joined by a Welcome: read on from there. */
  async joined(): Promise<void> {
    await this.#refreshMembership();
    await this.sync();
  }

  /** Encrypts a file and uploads its ciphertext; its key waits here until a message carries it. */
  async upload(o: Parameters<Uploader>[0], put: Uploader): Promise<UploadedAttachment> {
    const { uploaded, file } = await uploadSealed(o, put);
    this.#unsent.set(uploaded.id, { id: uploaded.id, ...file });
    return { ...uploaded, name: file.name, type: file.type, size: file.size };
  }

  async send(body: string, replyTo?: number, members: readonly User[] = [], attachments: readonly string[] = []): Promise<void> {
    const handles = new Set([...body.matchAll(MENTION_PATTERN)].map((m) => m[1]!.toLowerCase()));
    const mentions = members.filter((u) => handles.has(u.handle.toLowerCase())).map((u) => u.id);
    const files = attachments.flatMap((id) => this.#unsent.get(id) ?? []);
    await this.#send({ type: "text", body, ...(replyTo === undefined ? {} : { replyTo }), ...(mentions.length ? { mentions } : {}), ...(files.length ? { files } : {}) });
    for (const id of attachments) this.#unsent.delete(id);
  }

  edit(seq: number, body: string): Promise<void> {
    return this.#send({ type: "edit", seq, body });
  }

  /** A deleted message's files may go: the server learns this change is a delete only when it had some. */
  delete(seq: number): Promise<void> {
    return this.#send({ type: "delete", seq }, { dropAttachments: (this.#views.get(seq)?.attachments?.length ?? 0) > 0 });
  }

  react(seq: number, emoji: string, on: boolean): Promise<void> {
    return this.#send({ type: "react", seq, emoji, on });
  }

  /** Adds every device of these users (MLS commit and Welcome). */
  async add(handles: string[]): Promise<void> {
    try {
      await this.session.addUsers(this.channelId, handles);
    } catch (err) {
      // The module's own refusals (no device to add) read as the server's do.
      if (err instanceof ApiError || !(err instanceof Error) || err instanceof TypeError) throw err;
      throw new ApiError(409, "conflict", "None of their devices can join yet: they need to open the app once first.");
    }
    await this.sync();
  }

  /** Leaves: this user's other devices by commit, this one by a Remove proposal that the next member device online commits. */
  async leave(): Promise<void> {
    await this.session.leave(this.channelId);
  }

  /** Removes every device of a user from the group (the creator's right), or one's own other devices. */
  async removeUser(userId: string): Promise<void> {
    await this.session.removeDevices(this.channelId, (m) => m.userId === userId);
    await this.sync();
  }

  /** Search in the decrypted copy, newest first: the server holds no words to search. */
  search(q: string): Message[] {
    return [...this.#views.values()].filter((m) => !m.deleted && matchesQuery(m.body, q)).sort((a, b) => b.seq - a.seq);
  }

  /** Every member device with its safety code: the same code shows for a device on every member's screen. */
  async deviceCodes(): Promise<DeviceCode[]> {
    const group = await this.session.open(this.channelId);
    if (!group) return [];
    const me = this.session.device;
    return Promise.all(
      group.members().map(async (m) => ({ userId: m.userId, device: m.device, own: m.userId === me.userId && m.device === me.device, code: await group.safetyCode(m) })),
    );
  }

  async #send(content: SealedContent, options: { dropAttachments?: boolean } = {}): Promise<void> {
    await this.session.send(this.channelId, content, undefined, options);
    await this.sync();
  }

  /**
   * On opening the channel: devices of its members that are not in the group
   * yet (a new phone whose user's other devices are offline) are added, this
   * user's first. Each user checked costs a KeyPackage claim (rate-limited),
   * so only the first NEW_DEVICE_CHECKS users are.
   */
  async #addNewDevices(): Promise<void> {
    const group = await this.session.open(this.channelId);
    if (!group) return;
    const users = [...new Set([this.session.device.userId, ...group.members().map((m) => m.userId)])].slice(0, NEW_DEVICE_CHECKS);
    await this.session.addNewDevices(this.channelId, users).catch(() => undefined);
  }

  async #refreshMembership(): Promise<void> {
    const group = await this.session.open(this.channelId);
    this.inGroup.value = group !== undefined;
    this.processed.value = group ? this.session.cursor(this.channelId) : Infinity;
  }
}

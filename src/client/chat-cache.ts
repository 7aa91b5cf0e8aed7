import type { Message, Summary, User } from "../protocol";

/** A channel's cursors as the sync engine held them (see ChannelSync). */
export interface ChannelMeta {
  /** Nothing missing up to this seq; null before the first sync. */
  cursor: number | null;
  /** Every edit, delete and reaction up to this room rev is applied to the messages kept. */
  changeRev: number | null;
  lastSeq: number;
  /** Older messages than the oldest kept exist on the server. */
  hasOlder: boolean;
}

export interface ChannelSnapshot extends ChannelMeta {
  /** Ascending by seq. */
  messages: readonly Message[];
}

export interface InboxSnapshot {
  user: User;
  summaries: readonly Summary[];
}

/**
 * Where the SDK keeps what it already read, so that opening a channel shows
 * it at once and syncs only the gap, and a reload with no network still shows
 * it: IndexedDB in browsers (`openIdbCache`), memory elsewhere.
 * Writes may be lost (it is a cache) except the outbox's, which `saveOutbox` awaits.
 */
export interface ChatCache {
  loadChannel(channelId: string): Promise<ChannelSnapshot | null>;
  /** New or changed messages (by seq, a newer rev wins) and the cursors. */
  saveChannel(channelId: string, meta: ChannelMeta, changed: readonly Message[]): Promise<void>;
  loadInbox(): Promise<InboxSnapshot | null>;
  saveInbox(inbox: InboxSnapshot): Promise<void>;
  /** One device's unsent messages (as the outbox saved them; checked on load). */
  loadOutbox(device: string): Promise<unknown[]>;
  saveOutbox(device: string, entries: readonly unknown[]): Promise<void>;
  /** Forgets everything (log out). */
  clear(): Promise<void>;
}

/** How many messages a cache gives back per channel: the newest; older ones page in over HTTP. */
export const CACHED_MESSAGES_PER_CHANNEL = 500;

/** Keeps a message only if it is not older (by rev) than the copy kept. */
export function newerOf(kept: Message | undefined, incoming: Message): Message {
  return kept && kept.id === incoming.id && (kept.rev ?? 0) > (incoming.rev ?? 0) ? kept : incoming;
}

/** The newest `limit` messages of a channel, and whether older ones were left out. */
export function newestKept(messages: readonly Message[], meta: ChannelMeta, limit = CACHED_MESSAGES_PER_CHANNEL): ChannelSnapshot {
  const trimmed = messages.length > limit;
  return { ...meta, hasOlder: meta.hasOlder || trimmed, messages: trimmed ? messages.slice(-limit) : messages };
}

/**
 * A cache that is still opening (IndexedDB opens asynchronously): every call
 * waits for it; if it never opens, it answers as an empty cache that keeps nothing.
 */
export function whenOpen(opening: Promise<ChatCache>): ChatCache {
  const ready = opening.catch(() => new MemoryCache());
  return {
    loadChannel: async (id) => (await ready).loadChannel(id),
    saveChannel: async (id, meta, changed) => (await ready).saveChannel(id, meta, changed),
    loadInbox: async () => (await ready).loadInbox(),
    saveInbox: async (inbox) => (await ready).saveInbox(inbox),
    loadOutbox: async (device) => (await ready).loadOutbox(device),
    saveOutbox: async (device, entries) => (await ready).saveOutbox(device, entries),
    clear: async () => (await ready).clear(),
  };
}

/** A cache in memory: for Node, tests, and a client that should forget on exit. */
export class MemoryCache implements ChatCache {
  readonly #channels = new Map<string, { meta: ChannelMeta; bySeq: Map<number, Message> }>();
  #inbox: InboxSnapshot | null = null;
  readonly #outboxes = new Map<string, readonly unknown[]>();

  async loadChannel(channelId: string): Promise<ChannelSnapshot | null> {
    const kept = this.#channels.get(channelId);
    if (!kept) return null;
    const messages = [...kept.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return structuredClone(newestKept(messages, kept.meta));
  }

  async saveChannel(channelId: string, meta: ChannelMeta, changed: readonly Message[]): Promise<void> {
    let kept = this.#channels.get(channelId);
    if (!kept) this.#channels.set(channelId, (kept = { meta, bySeq: new Map() }));
    kept.meta = { ...meta };
    for (const m of changed) kept.bySeq.set(m.seq, structuredClone(newerOf(kept.bySeq.get(m.seq), m)));
  }

  async loadInbox(): Promise<InboxSnapshot | null> {
    return this.#inbox && structuredClone(this.#inbox);
  }

  async saveInbox(inbox: InboxSnapshot): Promise<void> {
    this.#inbox = structuredClone(inbox);
  }

  async loadOutbox(device: string): Promise<unknown[]> {
    return structuredClone([...(this.#outboxes.get(device) ?? [])]);
  }

  async saveOutbox(device: string, entries: readonly unknown[]): Promise<void> {
    this.#outboxes.set(device, structuredClone(entries));
  }

  async clear(): Promise<void> {
    this.#channels.clear();
    this.#inbox = null;
    this.#outboxes.clear();
  }
}

import { deleteDB, openDB, type DBSchema, type IDBPDatabase } from "idb";
import type { Message } from "../protocol";
import { newerOf, newestKept, type ChannelMeta, type ChannelSnapshot, type ChatCache, type InboxSnapshot } from "./chat-cache";

interface CacheSchema extends DBSchema {
  /** Keyed [channelId, seq], so one channel's messages are one key range in seq order. */
  messages: { key: [string, number]; value: Message };
  channels: { key: string; value: ChannelMeta & { channelId: string } };
  inbox: { key: "inbox"; value: InboxSnapshot };
  outbox: { key: string; value: { device: string; entries: unknown[] } };
}

const VERSION = 1;

/**
 * The browser's cache: one IndexedDB database per user (so another user of
 * the same browser never sees it), shared by that user's tabs. Reads that
 * fail (private mode, storage evicted) answer as an empty cache.
 */
export async function openIdbCache(userId: string, name = `edge-chat-${userId}`): Promise<ChatCache> {
  const db = await openDB<CacheSchema>(name, VERSION, {
    upgrade(db) {
      db.createObjectStore("messages");
      db.createObjectStore("channels", { keyPath: "channelId" });
      db.createObjectStore("inbox");
      db.createObjectStore("outbox", { keyPath: "device" });
    },
  });
  return new IdbCache(db, name);
}

class IdbCache implements ChatCache {
  constructor(
    readonly db: IDBPDatabase<CacheSchema>,
    readonly name: string,
  ) {}

  async loadChannel(channelId: string): Promise<ChannelSnapshot | null> {
    const tx = this.db.transaction(["channels", "messages"]);
    const meta = await tx.objectStore("channels").get(channelId);
    if (!meta) return null;
    const messages = await tx.objectStore("messages").getAll(channelRange(channelId));
    const { channelId: _, ...rest } = meta;
    return newestKept(messages, rest);
  }

  async saveChannel(channelId: string, meta: ChannelMeta, changed: readonly Message[]): Promise<void> {
    const tx = this.db.transaction(["channels", "messages"], "readwrite");
    const store = tx.objectStore("messages");
    const writes: Promise<unknown>[] = [tx.objectStore("channels").put({ ...meta, channelId })];
    for (const m of changed) {
      const key: [string, number] = [channelId, m.seq];
      // Another tab may have kept a newer version of the same message.
      writes.push(store.get(key).then((kept) => store.put(newerOf(kept, m), key)));
    }
    await Promise.all([...writes, tx.done]);
  }

  async loadInbox(): Promise<InboxSnapshot | null> {
    return (await this.db.get("inbox", "inbox")) ?? null;
  }

  async saveInbox(inbox: InboxSnapshot): Promise<void> {
    await this.db.put("inbox", { user: inbox.user, summaries: [...inbox.summaries] }, "inbox");
  }

  async loadOutbox(device: string): Promise<unknown[]> {
    return (await this.db.get("outbox", device))?.entries ?? [];
  }

  async saveOutbox(device: string, entries: readonly unknown[]): Promise<void> {
    await this.db.put("outbox", { device, entries: [...entries] });
  }

  async clear(): Promise<void> {
    this.db.close();
    await deleteDB(this.name);
  }
}

function channelRange(channelId: string): IDBKeyRange {
  return IDBKeyRange.bound([channelId, 0], [channelId, Number.MAX_SAFE_INTEGER]);
}

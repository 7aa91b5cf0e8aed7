import { openDB, type IDBPDatabase } from "idb";
import type { MlsStore } from "./store";

const WRAP_KEY = "wrap";

/**
 * The browser's MlsStore: IndexedDB, every value sealed with AES-GCM under a
 * non-extractable WebCrypto key that lives in the same database. Script can
 * use the key but never read it out, so a copy of the database files (a
 * backup, another profile, a disk image) holds no usable group secret; the
 * key name is the additional data, so sealed values cannot be swapped
 * between slots.
 */
export class EncryptedIdbStore implements MlsStore {
  private constructor(
    private readonly db: IDBPDatabase,
    private readonly key: CryptoKey,
  ) {}

  /** One database per user and device, so two accounts in one browser never share secrets. */
  static async open(userId: string, device: string): Promise<EncryptedIdbStore> {
    const db = await openDB(`edge-chat-mls:${userId}:${device}`, 1, {
      upgrade(d) {
        d.createObjectStore("keys");
        d.createObjectStore("values");
      },
    });
    let key = (await db.get("keys", WRAP_KEY)) as CryptoKey | undefined;
    if (!key) {
      key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
      await db.put("keys", key, WRAP_KEY);
    }
    return new EncryptedIdbStore(db, key);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const sealed = (await this.db.get("values", name)) as { iv: Uint8Array; data: ArrayBuffer } | undefined;
    if (!sealed) return undefined;
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv as BufferSource, additionalData: new TextEncoder().encode(name) }, this.key, sealed.data);
    return new Uint8Array(plain);
  }

  async set(name: string, value: Uint8Array): Promise<void> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(name) }, this.key, value as BufferSource);
    await this.db.put("values", { iv, data }, name);
  }

  async delete(name: string): Promise<void> {
    await this.db.delete("values", name);
  }

  async keys(prefix: string): Promise<string[]> {
    return ((await this.db.getAllKeys("values")) as string[]).filter((k) => k.startsWith(prefix));
  }
}

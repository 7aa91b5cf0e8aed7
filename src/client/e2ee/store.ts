/**
 * Where a device keeps its MLS secrets: group states and private KeyPackages.
 * They hold private keys, so a browser store encrypts them before they reach
 * IndexedDB (see encrypted-store.ts); tests and Node use memory.
 */
export interface MlsStore {
  get(key: string): Promise<Uint8Array | undefined>;
  set(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
}

export class MemoryStore implements MlsStore {
  readonly data = new Map<string, Uint8Array>();
  async get(key: string) {
    return this.data.get(key);
  }
  async set(key: string, value: Uint8Array) {
    this.data.set(key, value.slice());
  }
  async delete(key: string) {
    this.data.delete(key);
  }
  async keys(prefix: string) {
    return [...this.data.keys()].filter((k) => k.startsWith(prefix));
  }
}

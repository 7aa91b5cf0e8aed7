import * as v from "valibot";
import { Emitter } from "./emitter";
import { newClientMsgId } from "./ids";

/** A send the server has not acknowledged yet. Its clientMsgId never changes, so resends are idempotent. */
export const PendingSendSchema = v.object({
  clientMsgId: v.string(),
  channelId: v.string(),
  body: v.string(),
  replyTo: v.optional(v.number()),
  /** Ids of finished uploads (uploadAttachment) the message carries. */
  attachments: v.optional(v.array(v.string())),
  createdAt: v.number(),
  state: v.picklist(["pending", "failed"]),
  /** Last time it went out on a socket; 0 if never. */
  sentAt: v.number(),
  /** Not before this time (set by rate limiting). */
  notBefore: v.number(),
  error: v.optional(v.object({ code: v.string(), message: v.string() })),
});
export type PendingSend = v.InferOutput<typeof PendingSendSchema>;

/** Where the outbox keeps its entries between page loads (sessionStorage, IndexedDB); memory when absent. */
export interface OutboxStorage {
  load(): unknown[] | Promise<unknown[]>;
  save(entries: PendingSend[]): void | Promise<void>;
}

/**
 * Unacknowledged sends of all channels, oldest first. Connections take what is
 * due with `due()` and resend it until `resolve()` is called for its ack.
 */
export class Outbox {
  readonly events = new Emitter<{ change: { channelId: string } }>();
  readonly #entries = new Map<string, PendingSend>();
  readonly #storage: OutboxStorage | undefined;
  /** Settles once the stored entries are in (at once for a synchronous storage). */
  readonly ready: Promise<void>;

  constructor(storage?: OutboxStorage) {
    this.#storage = storage;
    const stored = storage?.load() ?? [];
    if (Array.isArray(stored)) {
      this.#restore(stored);
      this.ready = Promise.resolve();
    } else {
      this.ready = stored.then(
        (entries) => this.#restore(entries),
        () => {}, // Nothing readable kept: start empty.
      );
    }
  }

  /** Stored entries come from outside this process: keep only well-formed ones, never over a live entry. */
  #restore(raw: unknown[]): void {
    const channels = new Set<string>();
    for (const item of raw) {
      const parsed = v.safeParse(PendingSendSchema, item);
      if (!parsed.success || this.#entries.has(parsed.output.clientMsgId)) continue;
      this.#entries.set(parsed.output.clientMsgId, { ...parsed.output, sentAt: 0 });
      channels.add(parsed.output.channelId);
    }
    for (const channelId of channels) this.events.emit("change", { channelId });
  }

  add(channelId: string, body: string, replyTo?: number, now = Date.now(), attachments: string[] = []): PendingSend {
    const entry: PendingSend = { clientMsgId: newClientMsgId(), channelId, body, createdAt: now, state: "pending", sentAt: 0, notBefore: 0 };
    if (replyTo !== undefined) entry.replyTo = replyTo;
    if (attachments.length > 0) entry.attachments = attachments;
    this.#entries.set(entry.clientMsgId, entry);
    this.#changed(channelId);
    return entry;
  }

  /** Pending and failed sends of a channel, oldest first. */
  list(channelId: string): PendingSend[] {
    return [...this.#entries.values()].filter((e) => e.channelId === channelId);
  }

  /** Channels that have unsent messages. */
  channelIds(): string[] {
    return [...new Set([...this.#entries.values()].map((e) => e.channelId))];
  }

  has(clientMsgId: string): boolean {
    return this.#entries.has(clientMsgId);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Sends of a channel to put on the wire now: never sent on the current
   * socket (`sentBefore`), or sent more than `ackTimeoutMs` ago without an ack.
   */
  due(channelId: string, now: number, ackTimeoutMs: number, sentBefore = 0): PendingSend[] {
    return this.list(channelId).filter(
      (e) => e.state === "pending" && e.notBefore <= now && (e.sentAt <= sentBefore || now - e.sentAt >= ackTimeoutMs),
    );
  }

  markSent(clientMsgId: string, now = Date.now()): void {
    const entry = this.#entries.get(clientMsgId);
    if (entry) entry.sentAt = now;
  }

  /** The server stored it (ack, or seen in history): it leaves the outbox. */
  resolve(clientMsgId: string): boolean {
    const entry = this.#entries.get(clientMsgId);
    if (!entry) return false;
    this.#entries.delete(clientMsgId);
    this.#changed(entry.channelId);
    return true;
  }

  /** Rate limited: try again after the server's delay, with the same clientMsgId. */
  delay(clientMsgId: string, ms: number, now = Date.now()): void {
    const entry = this.#entries.get(clientMsgId);
    if (!entry) return;
    entry.notBefore = now + ms;
    entry.sentAt = 0;
  }

  /** Refused for good (e.g. too long): kept for the user to see, not resent. */
  fail(clientMsgId: string, error: { code: string; message: string }): void {
    const entry = this.#entries.get(clientMsgId);
    if (!entry) return;
    entry.state = "failed";
    entry.error = error;
    this.#changed(entry.channelId);
  }

  retry(clientMsgId: string): void {
    const entry = this.#entries.get(clientMsgId);
    if (!entry) return;
    entry.state = "pending";
    entry.sentAt = 0;
    delete entry.error;
    this.#changed(entry.channelId);
  }

  discard(clientMsgId: string): void {
    const entry = this.#entries.get(clientMsgId);
    if (entry && this.#entries.delete(clientMsgId)) this.#changed(entry.channelId);
  }

  #changed(channelId: string): void {
    void Promise.resolve(this.#storage?.save([...this.#entries.values()])).catch(() => {
      // Kept in memory still; a later change saves again.
    });
    this.events.emit("change", { channelId });
  }
}

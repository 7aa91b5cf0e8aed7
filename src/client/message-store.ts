import type { Message } from "../protocol";

/**
 * The messages one device holds for one channel: keyed by seq, de-duplicated
 * by id, with the sync cursor (the highest seq up to which nothing is missing).
 */
export class ChannelMessages {
  readonly #bySeq = new Map<number, Message>();
  readonly #seqOfId = new Map<string, number>();
  #sorted: Message[] | null = null;
  /** Everything in (base, cursor] is held; null until the first sync picks a starting point. */
  #cursor: number | null = null;
  #oldest = Infinity;
  #newest = 0;
  /**
   * The change cursor (a room rev, docs/protocol.md): every edit, delete and
   * reaction up to it is reflected in the messages held. Null until known.
   */
  changeRev: number | null = null;

  /** The seq to `sync` after, or null when nothing has been synced yet. */
  get cursor(): number | null {
    return this.#cursor;
  }

  get size(): number {
    return this.#bySeq.size;
  }

  /** Lowest seq held (or the starting point + 1 when empty). */
  get oldestSeq(): number {
    return Number.isFinite(this.#oldest) ? this.#oldest : (this.#cursor ?? 0) + 1;
  }

  get newestSeq(): number {
    return this.#newest;
  }

  /** Takes messages kept from an earlier session, with the cursors they were held under. */
  restore(messages: readonly Message[], cursor: number, changeRev: number | null): void {
    if (this.#cursor !== null || this.#bySeq.size > 0) return;
    this.#cursor = cursor;
    this.add(messages);
    this.changeRev = changeRev;
  }

  /** Declares that nothing at or before `after` is wanted from a sync: the cursor starts here. */
  startAt(after: number): void {
    if (this.#cursor === null) {
      this.#cursor = after;
      this.#advance();
    }
  }

  /**
   * Where a (re)connecting socket asks for changes from: the change cursor;
   * without one, the oldest rev held (every later change to a held copy is
   * newer than it); null when nothing is held, so only the cursor is wanted.
   */
  changesAfter(): number | null {
    if (this.changeRev !== null) return this.changeRev;
    if (this.#bySeq.size === 0) return null;
    let oldest = Infinity;
    for (const m of this.#bySeq.values()) oldest = Math.min(oldest, m.rev ?? 0);
    return oldest;
  }

  has(id: string): boolean {
    return this.#seqOfId.has(id);
  }

  bySeq(seq: number): Message | undefined {
    return this.#bySeq.get(seq);
  }

  /**
   * Adds messages, ignoring ids already held. A message whose id is held but
   * whose content changed (an edit) replaces the old copy. Returns the messages
   * that were new or changed.
   */
  add(messages: readonly Message[]): Message[] {
    const changed: Message[] = [];
    for (const message of messages) {
      const knownSeq = this.#seqOfId.get(message.id);
      if (knownSeq !== undefined) {
        const old = this.#bySeq.get(knownSeq);
        // An older copy (a page read before a change we already applied) must not undo it.
        if (old && (sameVersion(old, message) || (old.rev ?? 0) > (message.rev ?? 0))) continue;
      } else if (this.#bySeq.has(message.seq)) {
        // A different id at a held seq would break the channel's total order: keep the first.
        continue;
      }
      this.#bySeq.set(message.seq, message);
      this.#seqOfId.set(message.id, message.seq);
      this.#oldest = Math.min(this.#oldest, message.seq);
      this.#newest = Math.max(this.#newest, message.seq);
      changed.push(message);
    }
    if (changed.length > 0) {
      this.#sorted = null;
      this.#advance();
    }
    return changed;
  }

  /**
   * After a `history` page: where the next `sync` starts, or null when
   * nothing is missing up to the newest message held.
   */
  nextSyncAfter(page: readonly Message[], hasMore: boolean): number | null {
    const cursor = this.#cursor ?? 0;
    if (hasMore && page.length > 0) return Math.max(cursor, page[page.length - 1]!.seq);
    // Live messages that arrived during the sync may sit past a hole the sync did not cover.
    // An empty page means the server has nothing more to give: stop rather than loop.
    if (page.length > 0 && this.#newest > cursor) return cursor;
    return null;
  }

  /**
   * Runs of seqs missing between held messages below the cursor, as left by
   * a jump into older history; each is (after, before), both held.
   */
  gaps(): { after: number; before: number }[] {
    const list = this.list();
    const upTo = this.#cursor ?? 0;
    const gaps: { after: number; before: number }[] = [];
    for (let i = 1; i < list.length; i++) {
      const after = list[i - 1]!.seq;
      const before = list[i]!.seq;
      if (before > after + 1 && before <= upTo) gaps.push({ after, before });
    }
    return gaps;
  }

  /** All held messages, ascending by seq. */
  list(): readonly Message[] {
    this.#sorted ??= [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.#sorted;
  }

  #advance(): void {
    if (this.#cursor === null) return;
    while (this.#bySeq.has(this.#cursor + 1)) this.#cursor++;
  }
}

function sameVersion(a: Message, b: Message): boolean {
  return a.rev === b.rev && a.editedAt === b.editedAt && a.deleted === b.deleted && a.body === b.body;
}

import { computed, signal, type ReadonlySignal } from "@preact/signals-core";
import { readOnly } from "./read-only";

/**
 * Read markers of one channel: this user's own (`readSeq`, sent as `read`
 * frames, only ever forward) and the other members' (`receipts`, from the
 * welcome and receipt frames), for "seen by" and a "New messages" divider.
 */
export class ReadMarkers {
  readonly readSeq: ReadonlySignal<number>;
  readonly receipts: ReadonlySignal<ReadonlyMap<string, number>>;
  readonly #readSeq = signal(0);
  readonly #receipts = signal<ReadonlyMap<string, number>>(new Map());
  /** Whose markers are "own": this user's id, once known. */
  readonly meId: () => string | null;
  #wanted = 0;
  #sent = 0;

  /** `known`: the marker as the inbox reports it (moved by this user's other devices too). */
  constructor(meId: () => string | null, known?: ReadonlySignal<number>) {
    this.meId = meId;
    this.readSeq = known ? computed(() => Math.max(this.#readSeq.value, known.value)) : readOnly(this.#readSeq);
    this.receipts = readOnly(this.#receipts);
  }

  /** This user read up to `seq`: sent through `send` now, or when the next socket opens. */
  read(seq: number, send: (seq: number) => boolean): void {
    this.#wanted = Math.max(this.#wanted, seq);
    if (seq > this.#readSeq.peek()) this.#readSeq.value = seq;
    this.flush(send);
  }

  /** A new socket knows nothing of what the last one sent. */
  reset(): void {
    this.#sent = 0;
  }

  flush(send: (seq: number) => boolean): void {
    if (this.#wanted > this.#sent && send(this.#wanted)) this.#sent = this.#wanted;
  }

  /** Markers from the server: this user's moves `readSeq`, the others' go to `receipts`. */
  note(reads: readonly { userId: string; seq: number }[]): void {
    const me = this.meId();
    let receipts: Map<string, number> | null = null;
    for (const { userId, seq } of reads) {
      if (userId === me) {
        if (seq > this.#readSeq.peek()) this.#readSeq.value = seq;
      } else if (seq > ((receipts ?? this.#receipts.peek()).get(userId) ?? 0)) {
        receipts ??= new Map(this.#receipts.peek());
        receipts.set(userId, seq);
      }
    }
    if (receipts) this.#receipts.value = receipts;
  }
}

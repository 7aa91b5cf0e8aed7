import { signal, type ReadonlySignal } from "@preact/signals-core";
import { readOnly } from "./read-only";

export interface TypingOptions {
  /** Send at most one typing frame per this interval. */
  typingIntervalMs?: number;
  /** How long someone shows as typing after their last typing frame. */
  typingShownMs?: number;
}

/**
 * "Is typing" both ways for one channel: who else is typing now (each for a
 * while after their last frame, or until their next message), and the
 * throttle on this user's own typing frames.
 */
export class Typing {
  /** Ids of other members typing now. */
  readonly typers: ReadonlySignal<readonly string[]>;
  readonly #typers = signal<readonly string[]>([]);
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #intervalMs: number;
  readonly #shownMs: number;
  #sentAt = 0;
  #wantedAt = 0;

  constructor(options: TypingOptions = {}) {
    this.#intervalMs = options.typingIntervalMs ?? 2_500;
    this.#shownMs = options.typingShownMs ?? 4_000;
    this.typers = readOnly(this.#typers);
  }

  /** A keystroke: sends a typing frame through `send` unless one went out recently. */
  keystroke(send: () => boolean, now = Date.now()): void {
    if (now - this.#sentAt < this.#intervalMs) return;
    if (send()) this.#sentAt = now;
    else this.#wantedAt = now;
  }

  /** A socket opened: typing that started while connecting is still news if it is recent. */
  resend(send: () => boolean, now = Date.now()): void {
    if (now - this.#wantedAt < this.#intervalMs) this.keystroke(send, now);
  }

  started(userId: string): void {
    clearTimeout(this.#timers.get(userId));
    this.#timers.set(userId, setTimeout(() => this.stopped(userId), this.#shownMs));
    if (!this.#typers.peek().includes(userId)) this.#typers.value = [...this.#typers.peek(), userId];
  }

  /** Their message arrived, or their typing is old. */
  stopped(userId: string): void {
    if (!this.#timers.has(userId)) return;
    clearTimeout(this.#timers.get(userId));
    this.#timers.delete(userId);
    this.#typers.value = this.#typers.peek().filter((id) => id !== userId);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

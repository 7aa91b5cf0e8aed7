import type { ChannelClientFrame } from "../protocol";
import type { Outbox } from "./outbox";

/**
 * Puts one channel's outbox on its socket: everything due when the socket
 * opens, new sends at once, and again every second whatever was not acked
 * within `ackTimeoutMs` (same clientMsgId, so the server stores it once).
 */
export class OutboxSender {
  readonly #outbox: Outbox;
  readonly #channelId: string;
  readonly #ackTimeoutMs: number;
  #send: ((frame: ChannelClientFrame) => boolean) | null = null;
  #openedAt = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(outbox: Outbox, channelId: string, ackTimeoutMs = 10_000) {
    this.#outbox = outbox;
    this.#channelId = channelId;
    this.#ackTimeoutMs = ackTimeoutMs;
  }

  /** A socket is ready for sends: what was sent on an earlier one goes again. */
  opened(send: (frame: ChannelClientFrame) => boolean, now = Date.now()): void {
    this.#send = send;
    this.#openedAt = now;
    this.flush();
  }

  closed(): void {
    this.#send = null;
    this.#stopTimer();
  }

  flush(): void {
    const send = this.#send;
    if (!send) return;
    const now = Date.now();
    for (const entry of this.#outbox.due(this.#channelId, now, this.#ackTimeoutMs, this.#openedAt)) {
      const frame: ChannelClientFrame = { type: "send", clientMsgId: entry.clientMsgId, body: entry.body };
      if (entry.replyTo !== undefined) frame.replyTo = entry.replyTo;
      if (entry.attachments) frame.attachments = entry.attachments;
      if (send(frame)) this.#outbox.markSent(entry.clientMsgId, now);
    }
    if (this.#outbox.list(this.#channelId).some((e) => e.state === "pending")) this.#timer ??= setInterval(() => this.flush(), 1000);
    else this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

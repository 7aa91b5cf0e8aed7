import ReconnectingWebSocket from "partysocket/ws";
import * as v from "valibot";

import { CLOSE_CODES, PING_FRAME, SOCKET_PROTOCOL } from "../protocol";

export { PING_FRAME, SOCKET_PROTOCOL };
/** Close codes after which reconnecting cannot help: token revoked, no longer a member. */
export const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([CLOSE_CODES.sessionRevoked, CLOSE_CODES.notAMember]);

/** Any WebSocket constructor: the browser's, or `ws` under Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

export interface SocketOptions {
  /** Injectable WebSocket implementation; defaults to the global one. */
  WebSocket?: WebSocketConstructor;
  pingIntervalMs?: number;
  minReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  connectTimeoutMs?: number;
}

export interface FrameHandlers<Frame> {
  onOpen(): void;
  onFrame(frame: Frame): void;
  onClose(code: number, reason: string, willReconnect: boolean): void;
  onInvalid?(raw: unknown): void;
}

/**
 * One reconnecting socket that speaks JSON frames of one valibot schema.
 * Reconnection and backoff are partysocket's; this adds auth subprotocols,
 * frame validation, the 10 s ping and a dead-socket check.
 */
export class FrameSocket<Frame> {
  readonly #socket: ReconnectingWebSocket;
  readonly #pingIntervalMs: number;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastFrameAt = 0;
  #closed = false;

  constructor(url: string, token: string, schema: v.GenericSchema<unknown, Frame>, handlers: FrameHandlers<Frame>, options: SocketOptions = {}) {
    this.#pingIntervalMs = options.pingIntervalMs ?? 10_000;
    this.#socket = new ReconnectingWebSocket(url, [SOCKET_PROTOCOL, `bearer.${token}`], {
      WebSocket: options.WebSocket,
      minReconnectionDelay: options.minReconnectDelayMs ?? 500,
      maxReconnectionDelay: options.maxReconnectDelayMs ?? 10_000,
      reconnectionDelayGrowFactor: 2,
      connectionTimeout: options.connectTimeoutMs ?? 10_000,
      // Frames are only sent on an open socket; the outbox owns resending.
      maxEnqueuedMessages: 0,
      shouldReconnectOnClose: (event) => !FATAL_CLOSE_CODES.has(event.code),
    });
    this.#socket.addEventListener("open", () => {
      this.#lastFrameAt = Date.now();
      this.#startPing();
      handlers.onOpen();
    });
    this.#socket.addEventListener("message", (event: MessageEvent) => {
      this.#lastFrameAt = Date.now();
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        handlers.onInvalid?.(event.data);
        return;
      }
      const parsed = v.safeParse(schema, json);
      if (parsed.success) handlers.onFrame(parsed.output);
      else handlers.onInvalid?.(json);
    });
    this.#socket.addEventListener("close", (event) => {
      this.#stopPing();
      handlers.onClose(event.code, event.reason, !this.#closed && !FATAL_CLOSE_CODES.has(event.code));
    });
  }

  get isOpen(): boolean {
    return !this.#closed && this.#socket.readyState === ReconnectingWebSocket.OPEN;
  }

  /** Sends a frame if the socket is open; returns whether it was sent. */
  send(frame: object | string): boolean {
    if (!this.isOpen) return false;
    this.#socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    return true;
  }

  /** Drops the current connection and connects again at once (e.g. when the browser says it is online). */
  reconnect(): void {
    if (!this.#closed) this.#socket.reconnect();
  }

  close(): void {
    this.#closed = true;
    this.#stopPing();
    this.#socket.close(1000, "client closed");
  }

  #startPing(): void {
    this.#stopPing();
    this.#pingTimer = setInterval(() => {
      // A socket that has not answered two pings is dead even if no close event came (half-open TCP).
      if (Date.now() - this.#lastFrameAt > this.#pingIntervalMs * 2.5) {
        this.#socket.reconnect(4000, "no pong");
        return;
      }
      this.send(PING_FRAME);
    }, this.#pingIntervalMs);
  }

  #stopPing(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    this.#pingTimer = undefined;
  }
}

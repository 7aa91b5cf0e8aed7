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
  /** A ping goes out this often (default 5 s)... */
  pingIntervalMs?: number;
  /** ...and a socket with no frame this long after it is dead (default 2 s, at most twice the interval). */
  pongTimeoutMs?: number;
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
 * frame validation, the ping and a dead-socket check: a ping unanswered for
 * `pongTimeoutMs` drops the socket, so a silent network shows within seconds.
 */
export class FrameSocket<Frame> {
  readonly #socket: ReconnectingWebSocket;
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(url: string, token: string, schema: v.GenericSchema<unknown, Frame>, handlers: FrameHandlers<Frame>, options: SocketOptions = {}) {
    this.#pingIntervalMs = options.pingIntervalMs ?? 5_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? Math.min(2_000, this.#pingIntervalMs * 2);
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
      this.#startPing();
      handlers.onOpen();
    });
    this.#socket.addEventListener("message", (event: MessageEvent) => {
      // Any frame shows the link is alive, not only a pong.
      clearTimeout(this.#pongTimer);
      this.#pongTimer = undefined;
      let json: unknown;
      try {
        json = JSON.parse(String(event.data));
      } catch {
        handlers.onInvalid?.(event.data);
        return;
      }
      // A `frames` batch (channel stream, batch=2) is checked frame by frame: one this client does not
      // know (a newer server's) costs only itself, not the acks and messages beside it.
      for (const item of isFramesBatch(json) ? json.frames : [json]) {
        const parsed = v.safeParse(schema, item);
        if (parsed.success) handlers.onFrame(parsed.output);
        else handlers.onInvalid?.(item);
      }
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
      if (!this.send(PING_FRAME) || this.#pongTimer !== undefined) return;
      // A socket that does not answer is dead even if no close event came (half-open TCP, a cut link).
      this.#pongTimer = setTimeout(() => {
        this.#pongTimer = undefined;
        this.#socket.reconnect(4000, "no pong");
      }, this.#pongTimeoutMs);
    }, this.#pingIntervalMs);
  }

  #stopPing(): void {
    if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    this.#pingTimer = undefined;
    this.#pongTimer = undefined;
  }
}

function isFramesBatch(json: unknown): json is { frames: unknown[] } {
  return typeof json === "object" && json !== null && (json as { type?: unknown }).type === "frames" && Array.isArray((json as { frames?: unknown }).frames);
}

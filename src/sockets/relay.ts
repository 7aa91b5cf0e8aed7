import { Budget, type BudgetRule } from "../budgets/budget";
import { AppError } from "../errors";
import { CLOSE_CODES, MAX_FRAME_BYTES, PING_FRAME } from "../protocol";

/**
 * The Worker's end of a socket: it relays frames between the client and the
 * object's hibernatable socket, instead of handing the object's socket to the
 * client as it is.
 *
 * Why: when an object closes a hibernatable socket itself (4403 on removal,
 * 4401 on logout or expiry) while it is awake, workerd never releases the
 * connection after the client answers the close (the release only runs when
 * the object's send pump finishes, and that finished before the answer came;
 * LegacyWebSocketAdapter::tryReleaseNative). The client has the close frame
 * but not the end of the connection: `ws` reports the close after its 30 s
 * timeout, Chromium after its own. Here the Worker holds an ordinary socket,
 * whose close ends the connection at once; the object still hibernates.
 */
export function relaySocket(upstream: Response, frameBudget?: BudgetRule, onFlood?: () => void): Response {
  const inner = upstream.webSocket;
  if (upstream.status !== 101 || !inner) return upstream;
  const [client, outer] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  inner.accept();
  outer.accept();
  inner.binaryType = "arraybuffer";
  outer.binaryType = "arraybuffer";
  pipe(outer, inner, frameBudget && guard(frameBudget, outer, inner, onFlood));
  pipe(inner, outer);
  return new Response(null, { status: 101, webSocket: client, headers: upstream.headers });
}

/** Refused frames in one budget window, in bursts, past which a socket is closed: a client that heeds `retryAfterMs` is refused a handful. */
const FLOOD_REFUSALS = 4;

/**
 * A socket's own frame budget, kept here so a flood never reaches the object
 * that every other member of the channel shares: past it, `typing` is
 * dropped and any other frame answered `rate_limited` by the Worker — once
 * per wait (the error says how long), except sends, which each get their
 * error for the outbox. Answering every frame of a flood would double it.
 * A client that keeps sending anyway (more than four bursts of frames other
 * than sends refused in one window: no client that heeds `retryAfterMs`
 * comes near) is closed with
 * 4429, because each refused frame still costs the Worker an event, and a
 * flood of them, even refused, slows everyone the Worker serves.
 */
function guard(rule: BudgetRule, client: WebSocket, upstream: WebSocket, onFlood?: () => void): Admit {
  const budget = new Budget(rule);
  let toldUntil = 0;
  let windowStart = 0;
  let refused = 0;
  return (data) => {
    // Heartbeats are answered by the runtime for nothing, and a client over budget must not look dead.
    if (data === PING_FRAME) return true;
    const now = Date.now();
    const wait = budget.take("socket", now);
    if (wait === null) return true;
    const sendLike = typeof data === "string" && data.includes('"clientMsgId"');
    if (now - windowStart >= rule.windowMs) [windowStart, refused] = [now, 0];
    // Sends are left out: an outbox resends what is pending after each wait (the SDK's does), and each
    // refused send is answered and retried, so a client with many queued messages is no flooder.
    if (!sendLike && ++refused > FLOOD_REFUSALS * (rule.burst ?? rule.limit)) {
      // Both ends at once: a flooder need not answer the close for the room to be rid of it.
      closeQuietly(client, CLOSE_CODES.tooManyFrames, "too many frames");
      closeQuietly(upstream, CLOSE_CODES.tooManyFrames, "too many frames");
      onFlood?.();
      // What the flooder had in flight still arrives: with no listener left it costs no JavaScript.
      return "stop";
    }
    if (now < toldUntil && !sendLike) return false;
    let frame: { type?: unknown; clientMsgId?: unknown; seq?: unknown } = {};
    try {
      if (typeof data === "string" && data.length <= MAX_FRAME_BYTES) frame = JSON.parse(data) ?? {};
    } catch {
      // not JSON: refused below like any other frame
    }
    if (frame.type === "typing") return false;
    toldUntil = now + wait;
    const error = new AppError("rate_limited", "too many frames on this socket; try again later", wait).toBody();
    const ids = { ...(typeof frame.clientMsgId === "string" ? { clientMsgId: frame.clientMsgId } : {}), ...(typeof frame.seq === "number" && frame.type !== "read" ? { seq: frame.seq } : {}) };
    try {
      client.send(JSON.stringify({ type: "error", ...error, ...ids }));
    } catch {
      // closing
    }
    return false;
  };
}

/** Whether a frame goes on; "stop": neither it nor any after it. */
type Admit = (data: unknown) => boolean | "stop";

/** Frames from `from` go to `to` (those `admit` lets through); a close or error of `from` closes `to` with the same code. */
function pipe(from: WebSocket, to: WebSocket, admit?: Admit): void {
  const relay = (e: MessageEvent) => {
    const verdict = admit ? admit(e.data) : true;
    if (verdict === "stop") from.removeEventListener("message", relay);
    if (verdict !== true) return;
    try {
      to.send(e.data as string | ArrayBuffer);
    } catch {
      // `to` is closing: nothing more to deliver
    }
  };
  from.addEventListener("message", relay);
  from.addEventListener("close", (e) => closeQuietly(to, e.code, e.reason));
  from.addEventListener("error", () => closeQuietly(to, 1011, "socket error"));
}

/** Codes that may not be sent in a close frame (1005, 1006, 1015) become 1000. */
function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  const sendable = code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006);
  try {
    ws.close(sendable ? code : 1000, sendable ? reason : "");
  } catch {
    // already closed
  }
}

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
export function relaySocket(upstream: Response): Response {
  const inner = upstream.webSocket;
  if (upstream.status !== 101 || !inner) return upstream;
  const [client, outer] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
  inner.accept();
  outer.accept();
  inner.binaryType = "arraybuffer";
  outer.binaryType = "arraybuffer";
  pipe(outer, inner);
  pipe(inner, outer);
  return new Response(null, { status: 101, webSocket: client, headers: upstream.headers });
}

/** Frames from `from` go to `to`; a close or error of `from` closes `to` with the same code. */
function pipe(from: WebSocket, to: WebSocket): void {
  from.addEventListener("message", (e) => {
    try {
      to.send(e.data as string | ArrayBuffer);
    } catch {
      // `to` is closing: nothing more to deliver
    }
  });
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

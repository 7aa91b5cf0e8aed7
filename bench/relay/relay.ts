import { DurableObject } from "cloudflare:workers";

interface Env {
  RELAY: DurableObjectNamespace<Relay>;
  STORE_RELAY: DurableObjectNamespace<StoreRelay>;
}

function accept(ctx: DurableObjectState, req: Request): Response {
  const pair = new WebSocketPair();
  ctx.acceptWebSocket(pair[1]);
  const offered = req.headers.get("Sec-WebSocket-Protocol") ?? "";
  const headers = offered.includes("chat.v1") ? { "Sec-WebSocket-Protocol": "chat.v1" } : undefined;
  return new Response(null, { status: 101, webSocket: pair[0], headers });
}

/**
 * Accepts with the hibernation API and relays every frame to the room's other
 * sockets. Nothing else, unless ?welcome=BYTES asks it to open each socket
 * with a frame of that size (the idle-cost experiment: the service's welcome).
 */
export class Relay extends DurableObject<Env> {
  override async fetch(req: Request): Promise<Response> {
    const bytes = Number(new URL(req.url).searchParams.get("welcome") ?? 0);
    if (!(bytes > 0)) return accept(this.ctx, req);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].send(JSON.stringify({ type: "welcome", padding: "x".repeat(bytes) }));
    const offered = req.headers.get("Sec-WebSocket-Protocol") ?? "";
    return new Response(null, { status: 101, webSocket: pair[0], headers: offered.includes("chat.v1") ? { "Sec-WebSocket-Protocol": "chat.v1" } : undefined });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(data);
  }
}

/**
 * The store-and-relay anchor: each `send` frame is one SQLite insert (a
 * unique index on clientMsgId, as the service dedupes) in `transactionSync`,
 * then an ack to the sender and one `message` frame to every other socket.
 * The least a durable chat room can do; the service is measured against it.
 */
export class StoreRelay extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, client_msg_id TEXT NOT NULL, body TEXT NOT NULL, created_at INTEGER NOT NULL);" +
        "CREATE UNIQUE INDEX IF NOT EXISTS messages_client_idx ON messages (client_msg_id);",
    );
  }

  override async fetch(req: Request): Promise<Response> {
    return accept(this.ctx, req);
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const frame = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data)) as { type?: string; clientMsgId?: string; body?: string };
    if (frame.type !== "send" || typeof frame.clientMsgId !== "string" || typeof frame.body !== "string") return;
    const { clientMsgId, body } = frame;
    const createdAt = Date.now();
    const seq = this.ctx.storage.transactionSync(
      () => this.ctx.storage.sql.exec<{ seq: number }>("INSERT INTO messages (client_msg_id, body, created_at) VALUES (?, ?, ?) RETURNING seq", clientMsgId, body, createdAt).one().seq,
    );
    const message = { seq, clientMsgId, body, createdAt };
    // The output gate holds these until the insert is durable, as in the service.
    ws.send(JSON.stringify({ type: "ack", clientMsgId, message }));
    const out = JSON.stringify({ type: "message", message });
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(out);
  }
}

/**
 * /api/channels/:room/socket (the service's path, so clients need no change) → that room's
 * relay-only object, or with ?anchor=store its store-and-relay object.
 */
export default {
  fetch(req: Request, env: Env): Response | Promise<Response> {
    const url = new URL(req.url);
    const room = url.pathname.match(/^\/api\/channels\/([^/]+)\/socket$/)?.[1];
    if (!room || req.headers.get("Upgrade") !== "websocket") return new Response("relay", { status: room ? 426 : 404 });
    const ns = url.searchParams.get("anchor") === "store" ? env.STORE_RELAY : env.RELAY;
    return ns.get(ns.idFromName(room)).fetch(req);
  },
} satisfies ExportedHandler<Env>;

import { DurableObject } from "cloudflare:workers";

interface Env {
  RELAY: DurableObjectNamespace<Relay>;
}

/** Accepts with the hibernation API and relays every frame to the room's other sockets. Nothing else. */
export class Relay extends DurableObject<Env> {
  override async fetch(req: Request): Promise<Response> {
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    const offered = req.headers.get("Sec-WebSocket-Protocol") ?? "";
    const headers = offered.includes("chat.v1") ? { "Sec-WebSocket-Protocol": "chat.v1" } : undefined;
    return new Response(null, { status: 101, webSocket: pair[0], headers });
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(data);
  }
}

/** /api/channels/:room/socket (the service's path, so clients need no change) → that room's object. */
export default {
  fetch(req: Request, env: Env): Response | Promise<Response> {
    const room = new URL(req.url).pathname.match(/^\/api\/channels\/([^/]+)\/socket$/)?.[1];
    if (!room || req.headers.get("Upgrade") !== "websocket") return new Response("relay", { status: room ? 426 : 404 });
    return env.RELAY.get(env.RELAY.idFromName(room)).fetch(req);
  },
} satisfies ExportedHandler<Env>;

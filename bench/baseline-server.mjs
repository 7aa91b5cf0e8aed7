// The lower bound: a bare `ws` broadcast server speaking just enough of the
// channel and inbox protocol for the same SDK load generator to drive it. No
// auth (the bearer token is taken as the user id), no storage (history is an
// in-memory array, so catch-up has a floor to compare with), no validation.
// Usage: node bench/baseline-server.mjs PORT   (prints "listening PORT")
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const rooms = new Map(); // channelId -> { seq, sockets: Set, history: [], sent: Map<user, n> }
const inboxes = new Set();
const server = createServer((_req, res) => res.writeHead(404).end());
const wss = new WebSocketServer({ noServer: true, handleProtocols: () => "chat.v1" });

function room(id) {
  let r = rooms.get(id);
  if (!r) rooms.set(id, (r = { seq: 0, sockets: new Set(), history: [], sent: new Map() }));
  return r;
}

server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url, "http://x");
  const user = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim()).find((p) => p.startsWith("bearer."))?.slice(7) ?? "anon";
  const channel = url.pathname.match(/^\/api\/channels\/([^/]+)\/socket$/)?.[1];
  wss.handleUpgrade(req, socket, head, (ws) => (channel ? joinRoom(ws, decodeURIComponent(channel), user) : joinInbox(ws, user)));
});

function joinRoom(ws, channelId, user) {
  const r = room(channelId);
  r.sockets.add(ws);
  ws.on("close", () => r.sockets.delete(ws));
  const channel = { id: channelId, kind: "group", title: "", members: [], createdAt: 0 };
  ws.send(JSON.stringify({ type: "welcome", channel, lastSeq: r.seq, presence: [] }));
  ws.on("message", (data) => {
    const frame = JSON.parse(data);
    if (frame.type === "send") {
      const seq = ++r.seq;
      const message = { id: String(seq), seq, channelId, senderId: user, body: frame.body, clientMsgId: frame.clientMsgId, createdAt: Date.now() };
      r.history.push(message);
      r.sent.set(user, (r.sent.get(user) ?? 0) + 1);
      ws.send(JSON.stringify({ type: "ack", clientMsgId: frame.clientMsgId, message }));
      const out = JSON.stringify({ type: "message", message }); // once per message, not per socket
      for (const other of r.sockets) if (other !== ws) other.send(out);
      for (const inbox of inboxes) {
        const unread = seq - (r.sent.get(inbox.user) ?? 0);
        inbox.ws.send(JSON.stringify({ type: "summary", summary: { channel, lastMessage: message, lastSeq: seq, readSeq: 0, unread } }));
      }
    } else if (frame.type === "sync") {
      const limit = frame.limit ?? 50;
      const messages = r.history.slice(frame.after, frame.after + limit);
      ws.send(JSON.stringify({ type: "history", messages, hasMore: frame.after + limit < r.seq }));
    } else if (frame.type === "ping") {
      ws.send('{"type":"pong"}');
    }
  });
}

function joinInbox(ws, user) {
  const entry = { ws, user };
  inboxes.add(entry);
  ws.on("close", () => inboxes.delete(entry));
  ws.send(JSON.stringify({ type: "welcome", user: { id: user, handle: user, displayName: user, createdAt: 0 }, channels: [] }));
  ws.on("message", () => ws.send('{"type":"pong"}'));
}

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => console.log(`listening ${server.address().port}`));
process.on("SIGTERM", () => process.exit(0));

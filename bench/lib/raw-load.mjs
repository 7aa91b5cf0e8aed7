// The raw load generator: plain `ws` sockets speaking the channel protocol's
// JSON by hand, no SDK, so the figures measure the target and not the client
// (the SDK validates every frame it receives: 99 per message in a group).
// Latency is from each send to its ack (sender) and to its arrival on every
// other socket, measured in this one process so no clocks are compared.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { pool } from "./connect.mjs";

const KEY = '"clientMsgId":"';
const ACK = '{"type":"ack",';
const FRAME = '{"type":"';
const ERROR = '{"type":"error"';
const SEQ = /"seq":(\d+)/g;

/**
 * Every clientMsgId a frame carries (one `message`, several in a `messages`
 * batch, or any frames in a `frames` batch), and whether it is an ack's (an
 * ack names its send, and its message repeats the id), without parsing the
 * JSON: the load generator must stay cheaper than what it measures. `at`:
 * where in `text` the id ends (an ack's message follows it).
 */
export function clientMsgIds(text) {
  const ids = [];
  for (let i = text.indexOf(KEY); i >= 0; i = text.indexOf(KEY, i)) {
    const ack = text.startsWith(ACK, i - ACK.length);
    // A refused send's error names its id too: that is neither an ack nor a delivery.
    const refused = text.startsWith(ERROR, text.lastIndexOf(FRAME, i));
    i += KEY.length;
    const end = text.indexOf('"', i);
    const id = text.slice(i, end);
    i = end;
    if (refused || (ids.at(-1)?.ack && ids.at(-1).id === id)) continue; // an error, or the acked message's own copy of the id
    ids.push({ id, ack, at: end });
  }
  return ids;
}

/**
 * Opens one socket at `url` with the chat subprotocols; resolves once it is
 * usable: at its `welcome` when the target sends one, else when open.
 */
export function openRawSocket(url, token, { welcome = true, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, token ? ["chat.v1", `bearer.${token}`] : ["chat.v1"]);
    const timer = setTimeout(() => (ws.terminate(), reject(new Error(`no ${welcome ? "welcome" : "open"} from ${url} in ${timeoutMs} ms`))), timeoutMs);
    const done = () => (clearTimeout(timer), resolve(ws));
    ws.once("error", (e) => (clearTimeout(timer), reject(e)));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => (clearTimeout(timer), reject(new Error(`upgrade refused: ${res.statusCode} ${body}`))));
    });
    if (welcome) ws.once("message", done);
    else ws.once("open", done);
  });
}

/** Each member's channel socket on `target` (see targets.mjs: socketUrl, welcomes). */
export async function openRawGroup(target, members, channelId, { device = "bench", concurrency = 25 } = {}) {
  return pool(members, concurrency, async (member, i) => ({
    member,
    ws: await openRawSocket(target.socketUrl(channelId, `${device}${i}`), member.token, { welcome: target.welcomes }),
  }));
}

export function closeRaw(conns) {
  for (const c of conns) c.ws.terminate();
}

/** Watches raw sockets: ack and delivery latencies (ms) of the sends made through it. */
export function rawProbe(conns) {
  const sentAt = new Map();
  let waiters = [];
  const p = { ack: [], delivery: [], delivered: 0, sent: 0, errors: [], seqOf: new Map() };
  const wake = () => {
    if (waiters.length) waiters = waiters.filter((w) => !w());
  };
  const onFrame = (data) => {
    const now = performance.now();
    const text = String(data);
    if (text.includes('{"type":"error"') && p.errors.length < 20) p.errors.push(text.slice(0, 200));
    for (const { id, ack, at } of clientMsgIds(text)) {
      const t = sentAt.get(id);
      if (t === undefined) continue;
      if (ack) {
        p.ack.push(now - t);
        SEQ.lastIndex = at;
        const seq = SEQ.exec(text)?.[1];
        if (seq) p.seqOf.set(id, Number(seq));
        continue;
      }
      p.delivery.push(now - t);
      p.delivered++;
    }
    wake();
  };
  for (const c of conns) c.ws.on("message", onFrame);
  p.stop = () => {
    for (const c of conns) c.ws.off("message", onFrame);
  };
  p.sentAt = sentAt;
  p.send = (c, body) => {
    const clientMsgId = `m${p.sent}-${Math.random().toString(36).slice(2, 10)}`;
    sentAt.set(clientMsgId, performance.now());
    c.ws.send(`{"type":"send","clientMsgId":"${clientMsgId}","body":"${body}"}`);
    p.sent++;
    return clientMsgId;
  };
  /** Resolves true once `deliveries` have arrived and every send is acked; false after `timeoutMs`. */
  p.settle = (deliveries, timeoutMs) =>
    new Promise((resolve) => {
      const done = () => p.delivered >= deliveries && p.ack.length >= p.sent;
      if (done()) return resolve(true);
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => done() && (clearTimeout(timer), resolve(true), true);
      waiters.push(check);
    });
  return p;
}

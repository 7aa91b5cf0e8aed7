// The load generator: paced sends through SDK channel connections, with the
// time from each send to its ack (sender) and to its arrival on every other
// member's socket, measured in this one process so no clocks are compared.
import { performance } from "node:perf_hooks";

/** Watches open connections: ack and delivery latencies (ms) of the sends made through it. */
export function probe(conns) {
  const sentAt = new Map();
  let waiters = [];
  const p = { ack: [], delivery: [], delivered: 0, sent: 0, errors: [] };
  const wake = () => {
    if (waiters.length) waiters = waiters.filter((w) => !w());
  };
  for (const c of conns) {
    c.conn.events.on("messages", (messages) => {
      const now = performance.now();
      for (const m of messages) {
        const t = sentAt.get(m.clientMsgId);
        if (t === undefined) continue;
        if (m.senderId === c.member.userId) p.ack.push(now - t);
        else {
          p.delivery.push(now - t);
          p.delivered++;
        }
      }
      wake();
    });
    c.conn.events.on("error", (e) => p.errors.length < 20 && p.errors.push(e));
  }
  p.send = (c, body) => {
    const t = performance.now();
    const pending = c.conn.send(body);
    sentAt.set(pending.clientMsgId, t);
    p.sent++;
    return pending.clientMsgId;
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends `rate` messages/s in total, round-robin over `senders`, for
 * `durationMs`, in ticks of a few ms; returns how many were sent.
 */
export async function paced(p, senders, rate, durationMs, body = "x".repeat(64)) {
  const start = performance.now();
  let sent = 0;
  let i = 0;
  for (;;) {
    const elapsed = performance.now() - start;
    if (elapsed >= durationMs) break;
    const due = Math.min(Math.floor((elapsed * rate) / 1000) + 1, Math.round((durationMs * rate) / 1000));
    while (sent < due) {
      p.send(senders[i++ % senders.length], body);
      sent++;
    }
    await sleep(4);
  }
  return sent;
}

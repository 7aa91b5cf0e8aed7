// A group of N members, one socket each; `senders` of them send `rate`
// messages/s in total for `durationMs`; every message reaches N-1 sockets.
import { closeAll, openChannel, pool } from "../lib/connect.mjs";
import { paced, probe } from "../lib/load.mjs";
import { summarize } from "../lib/stats.mjs";

export async function openGroup(target, members, channelId) {
  return pool(members, 25, (m) => openChannel(target.baseUrl, m, channelId));
}

/** One paced run on open connections: latencies and whether everything arrived. */
export async function groupLoad(conns, { senders, rate, durationMs, settleMs }) {
  const p = probe(conns);
  const sent = await paced(p, conns.slice(0, senders), rate, durationMs);
  const expected = sent * (conns.length - 1);
  const complete = await p.settle(expected, settleMs);
  return {
    rate,
    sent,
    expected,
    delivered: p.delivered,
    acked: p.ack.length,
    complete,
    errors: p.errors.slice(0, 3),
    ack: summarize(p.ack),
    delivery: summarize(p.delivery),
  };
}

export async function groupFanOut(target, members, channelId, opts) {
  const conns = await openGroup(target, members, channelId);
  try {
    return { members: members.length, senders: opts.senders, durationMs: opts.durationMs, ...(await groupLoad(conns, opts)) };
  } finally {
    closeAll(conns);
  }
}

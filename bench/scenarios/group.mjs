// A group of N members, one socket each; `senders` of them send `rate`
// messages/s in total for `durationMs`; every message reaches N-1 sockets.
import { closeAll, openChannel, pool } from "../lib/connect.mjs";
import { paced, probe } from "../lib/load.mjs";
import { summarize } from "../lib/stats.mjs";

export async function openGroup(target, members, channelId) {
  return pool(members, 25, (m) => openChannel(target.baseUrl, m, channelId));
}

/**
 * One paced run on open connections: latencies, whether everything arrived,
 * and the CPU the target's processes and this load generator spent per message.
 */
export async function groupLoad(target, conns, { senders, rate, durationMs, settleMs }) {
  const p = probe(conns);
  const cpu0 = target.cpuSeconds();
  const byProcess0 = target.cpuByProcess?.();
  const own0 = process.cpuUsage();
  const sent = await paced(p, conns.slice(0, senders), rate, durationMs);
  const expected = sent * (conns.length - 1);
  const complete = await p.settle(expected, settleMs);
  const own = process.cpuUsage(own0);
  const perMessage = (seconds) => Math.round((seconds * 1000 * 100) / Math.max(sent, 1)) / 100;
  const byProcess = {};
  if (byProcess0) {
    for (const [name, seconds] of Object.entries(target.cpuByProcess())) {
      const ms = perMessage(seconds - (byProcess0[name] ?? 0));
      if (ms > 0) byProcess[name.split(":")[0]] = Math.round(((byProcess[name.split(":")[0]] ?? 0) + ms) * 100) / 100;
    }
  }
  return {
    cpuMsPerMessageByProcess: byProcess,
    cpuMsPerMessage: { target: perMessage(target.cpuSeconds() - cpu0), loadGenerator: perMessage((own.user + own.system) / 1e6) },
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
    return { members: members.length, senders: opts.senders, durationMs: opts.durationMs, ...(await groupLoad(target, conns, opts)) };
  } finally {
    closeAll(conns);
  }
}

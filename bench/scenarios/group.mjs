// A group of N members, one raw socket each; `senders` of them send `rate`
// messages/s in total for `durationMs`; every message reaches N-1 sockets.
// Run at several rates on the same sockets, against every target alike.
import { paced } from "../lib/load.mjs";
import { closeRaw, openRawGroup, rawProbe } from "../lib/raw-load.mjs";
import { summarize } from "../lib/stats.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const openGroup = (target, members, channelId) => openRawGroup(target, members, channelId);

/**
 * One paced run on open sockets: latencies, what was lost, and the CPU the
 * target's processes and this load generator spent per message.
 */
export async function groupLoad(target, conns, { senders, rate, durationMs, settleMs }) {
  const p = rawProbe(conns);
  const cpu0 = target.cpuSeconds();
  const byProcess0 = target.cpuByProcess?.();
  const own0 = process.cpuUsage();
  const sent = await paced(p, conns.slice(0, senders), rate, durationMs);
  const expected = sent * (conns.length - 1);
  const complete = await p.settle(expected, settleMs);
  p.stop();
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
    lost: expected - p.delivered,
    acked: p.ack.length,
    complete,
    errors: p.errors.slice(0, 3),
    ack: summarize(p.ack),
    delivery: summarize(p.delivery),
  };
}

/**
 * The group at each of `rates` in turn, on one set of sockets: { members,
 * senders, cold, byRate: { [rate]: run } }. First an unmeasured warm-up at
 * `warmUp.rate` (every target alike): the JIT, and for the service the room's
 * first contact with each member's hub (at most 20 hubs a drain), a one-off
 * after the room starts; its figures are kept as `cold`, apart from the targets.
 */
export async function groupFanOut(target, members, channelId, { rates, pauseMs = 1_000, warmUp, log, ...opts }) {
  const conns = await openGroup(target, members, channelId);
  const byRate = {};
  let cold = null;
  try {
    if (warmUp) {
      cold = await groupLoad(target, conns, { ...opts, ...warmUp });
      log?.(`  ${target.name} warm-up ${warmUp.rate} msg/s (cold): delivery p50 ${cold.delivery.p50} p99 ${cold.delivery.p99} ms, ack p99 ${cold.ack.p99} ms, lost ${cold.lost}`);
      await sleep(pauseMs);
    }
    for (const rate of rates) {
      byRate[rate] = await groupLoad(target, conns, { ...opts, rate });
      const r = byRate[rate];
      log?.(`  ${target.name} ${rate} msg/s: delivery p50 ${r.delivery.p50} p99 ${r.delivery.p99} ms, ack p99 ${r.ack.p99} ms, lost ${r.lost}, ${r.cpuMsPerMessage.target} CPU ms/message`);
      await sleep(pauseMs);
    }
  } finally {
    closeRaw(conns);
  }
  return { members: members.length, senders: opts.senders, durationMs: opts.durationMs, cold, byRate };
}

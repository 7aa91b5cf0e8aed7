// A group of N members, one raw socket each; `senders` of them send `rate`
// messages/s in total for `durationMs`; every message reaches N-1 sockets.
// Run at several rates on the same sockets, against every target alike, in
// rounds that interleave the targets (groupRounds).
import { paced } from "../lib/load.mjs";
import { closeRaw, openRawGroup, rawProbe } from "../lib/raw-load.mjs";
import { summarize } from "../lib/stats.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const openGroup = (target, members, channelId) => openRawGroup(target, members, channelId);

/**
 * One paced run on open sockets: latencies, what was lost, and the CPU the
 * target's processes and this load generator spent per message.
 */
export async function groupLoad(target, conns, { senders, rate, durationMs, settleMs, keepSamples = false }) {
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
    // Raw latencies, for pooling rounds (groupRounds); never written out.
    ...(keepSamples ? { samples: { ack: p.ack, delivery: p.delivery } } : {}),
  };
}

/**
 * The group on every target at once, interleaved: each target's sockets stay
 * open, and each round runs every rate on every target in turn, the order
 * rotating each round, so the service and its anchors share the machine's
 * moods (one target's phases used to run minutes after another's, and one
 * 10 s phase at 20 msg/s holds 200 acks: its "p99" is the second-worst).
 * Per target and rate, the rounds' samples are pooled into one run (`rounds`
 * times one phase's samples), and each round's own figures are kept in
 * `rounds`. Returns { [target name]: { members, senders, durationMs, rounds, cold, byRate } }.
 */
export async function groupRounds(runs, { rates, rounds = 1, pauseMs = 1_000, warmUp, log, ...opts }) {
  const open = [];
  try {
    for (const { target, members, channelId } of runs) {
      open.push({ target, members, conns: await openGroup(target, members, channelId), cold: null, phases: Object.fromEntries(rates.map((r) => [r, []])) });
    }
    if (warmUp) {
      for (const o of open) {
        o.cold = await groupLoad(o.target, o.conns, { ...opts, ...warmUp });
        log?.(`  ${o.target.name} warm-up ${warmUp.rate} msg/s (cold): delivery p50 ${o.cold.delivery.p50} p99 ${o.cold.delivery.p99} ms, ack p99 ${o.cold.ack.p99} ms, lost ${o.cold.lost}`);
        await sleep(pauseMs);
      }
    }
    for (let round = 0; round < rounds; round++) {
      for (const rate of rates) {
        for (let i = 0; i < open.length; i++) {
          const o = open[(i + round) % open.length];
          const r = await groupLoad(o.target, o.conns, { ...opts, rate, keepSamples: true });
          o.phases[rate].push(r);
          log?.(`  round ${round + 1}/${rounds} ${o.target.name} ${rate} msg/s: delivery p50 ${r.delivery.p50} p99 ${r.delivery.p99} ms, ack p99 ${r.ack.p99} ms, lost ${r.lost}, ${r.cpuMsPerMessage.target} CPU ms/message`);
          await sleep(pauseMs);
        }
      }
    }
  } finally {
    for (const o of open) closeRaw(o.conns);
  }
  return Object.fromEntries(
    open.map((o) => [
      o.target.name,
      { members: o.members.length, senders: opts.senders, durationMs: opts.durationMs, rounds, cold: o.cold, byRate: Object.fromEntries(rates.map((rate) => [rate, pooled(rate, o.phases[rate])])) },
    ]),
  );
}

/** One run from several phases at one rate: counts summed, latencies from every sample, CPU per message weighted by what each phase sent. */
function pooled(rate, phases) {
  const sum = (k) => phases.reduce((n, p) => n + p[k], 0);
  const sent = sum("sent");
  const weighted = (get) => Math.round((phases.reduce((n, p) => n + get(p) * p.sent, 0) / Math.max(sent, 1)) * 100) / 100;
  const byProcess = {};
  for (const name of new Set(phases.flatMap((p) => Object.keys(p.cpuMsPerMessageByProcess)))) byProcess[name] = weighted((p) => p.cpuMsPerMessageByProcess[name] ?? 0);
  return {
    cpuMsPerMessageByProcess: byProcess,
    cpuMsPerMessage: { target: weighted((p) => p.cpuMsPerMessage.target), loadGenerator: weighted((p) => p.cpuMsPerMessage.loadGenerator) },
    rate,
    sent,
    expected: sum("expected"),
    delivered: sum("delivered"),
    lost: sum("lost"),
    acked: sum("acked"),
    complete: phases.every((p) => p.complete),
    errors: phases.flatMap((p) => p.errors).slice(0, 3),
    ack: summarize(phases.flatMap((p) => p.samples.ack)),
    delivery: summarize(phases.flatMap((p) => p.samples.delivery)),
    rounds: phases.map(({ samples, ...p }) => ({ ack: p.ack, delivery: p.delivery, lost: p.lost, cpuMsPerMessage: p.cpuMsPerMessage })),
  };
}

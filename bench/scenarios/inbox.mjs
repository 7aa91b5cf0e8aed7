// Inbox fan-out under load: every member but the first has an inbox socket
// (raw ws); `senders` members send `rate` messages/s into the group. Per
// message and per inbox: the time from the send until that inbox holds a
// summary of the channel that covers it (lastSeq >= its seq: the unread badge
// counts it). A hub that coalesces updates is measured as a user sees it.
import { performance } from "node:perf_hooks";
import { pool } from "../lib/connect.mjs";
import { paced } from "../lib/load.mjs";
import { closeRaw, openRawGroup, openRawSocket, rawProbe } from "../lib/raw-load.mjs";
import { summarize } from "../lib/stats.mjs";

export async function inboxFanOut(target, members, channelId, { senders, rate, durationMs, settleMs }) {
  // Per inbox, [lastSeq, arrival ms] of each summary of the channel, in arrival order.
  const seen = [];
  const inboxes = await pool(members.slice(1), 25, async (member, i) => {
    const ws = await openRawSocket(target.inboxUrl(`inbox${i}`), member.token);
    const arrivals = [];
    seen.push(arrivals);
    ws.on("message", (data) => {
      const now = performance.now();
      const text = String(data);
      if (!text.startsWith('{"type":"summary"')) return;
      const { summary } = JSON.parse(text);
      if (summary.channel.id === channelId) arrivals.push([summary.lastSeq, now]);
    });
    return { member, ws };
  });
  const conns = await openRawGroup(target, members.slice(0, senders), channelId, { device: "inbox-sender" });
  try {
    const p = rawProbe(conns);
    const sent = await paced(p, conns, rate, durationMs);
    await p.settle(0, settleMs); // every send acked
    const last = Math.max(0, ...p.seqOf.values());
    const until = performance.now() + settleMs;
    while (performance.now() < until && !seen.every((a) => (a.at(-1)?.[0] ?? 0) >= last)) await new Promise((r) => setTimeout(r, 50));
    p.stop();
    const sends = [...p.seqOf].map(([id, seq]) => [seq, p.sentAt.get(id)]).sort((a, b) => a[0] - b[0]);
    const perMember = [];
    let lost = 0;
    for (const arrivals of seen) {
      let j = 0;
      let high = 0;
      for (const [seq, t0] of sends) {
        // First arrival whose lastSeq covers seq (lastSeq only grows, but be safe about reorders).
        while (j < arrivals.length && Math.max(high, arrivals[j][0]) < seq) high = Math.max(high, arrivals[j++][0]);
        if (j === arrivals.length) lost++;
        else perMember.push(arrivals[j][1] - t0);
      }
    }
    const updates = seen.reduce((n, a) => n + a.length, 0);
    return {
      members: members.length,
      rate,
      sent,
      acked: p.ack.length,
      lost,
      summariesPerInboxPerSec: Math.round((updates / seen.length / (durationMs / 1000)) * 10) / 10,
      perMember: summarize(perMember),
    };
  } finally {
    closeRaw([...conns, ...inboxes]);
  }
}

// Throughput sweep into one channel: raise the offered rate step by step
// until the target no longer keeps up (everything delivered, delivery p99
// under the bound). Fresh sockets per step, so held history stays small.
import { closeRaw } from "../lib/raw-load.mjs";
import { groupLoad, openGroup } from "./group.mjs";

export async function sweep(target, members, channelId, { rates, senders, stepMs, settleMs, p99BoundMs, log }) {
  const steps = [];
  let best = null;
  for (const rate of rates) {
    const conns = await openGroup(target, members, channelId);
    let step;
    try {
      step = await groupLoad(target, conns, { senders, rate, durationMs: stepMs, settleMs });
    } finally {
      closeRaw(conns);
    }
    step.keepsUp = step.complete && step.delivery.p99 < p99BoundMs;
    steps.push(step);
    log(`  ${target.name} ${rate} msg/s: ${step.keepsUp ? "keeps up" : "falls behind"} (delivered ${step.delivered}/${step.expected}, p99 ${step.delivery.p99} ms, ${step.cpuMsPerMessage.target} CPU ms per message)`);
    if (!step.keepsUp) break;
    best = rate;
    await new Promise((r) => setTimeout(r, 500)); // let closes finish before the next step
  }
  const fanOut = members.length - 1;
  return {
    members: members.length,
    p99BoundMs,
    keepsUpMessagesPerSec: best ?? 0,
    keepsUpDeliveriesPerSec: (best ?? 0) * fanOut,
    steps,
  };
}

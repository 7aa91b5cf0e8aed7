// 1:1: one message at a time between two members of a DM, alternating
// direction: send → ack on the sender's socket, send → delivery on the partner's.
import { closeRaw, openRawGroup, rawProbe } from "../lib/raw-load.mjs";
import { summarize } from "../lib/stats.mjs";

export async function oneToOne(target, [a, b], { roundTrips }) {
  const channelId = await target.dm(a, b);
  const conns = await openRawGroup(target, [a, b], channelId, { device: "dm" });
  try {
    const p = rawProbe(conns);
    for (let i = 0; i < roundTrips; i++) {
      p.send(conns[i % 2], `round trip ${i}`);
      if (!(await p.settle(i + 1, 10_000))) throw new Error(`1:1 round trip ${i} took over 10 s`);
    }
    p.stop();
    return { roundTrips, ack: summarize(p.ack), delivery: summarize(p.delivery) };
  } finally {
    closeRaw(conns);
  }
}

// 1:1: one message at a time between two members of a DM, alternating
// direction: send → ack on the sender's socket, send → delivery on the partner's.
import { closeAll, openChannel } from "../lib/connect.mjs";
import { probe } from "../lib/load.mjs";
import { summarize } from "../lib/stats.mjs";

export async function oneToOne(target, [a, b], { roundTrips }) {
  const channelId = await target.dm(a, b);
  const conns = [await openChannel(target.baseUrl, a, channelId), await openChannel(target.baseUrl, b, channelId)];
  try {
    const p = probe(conns);
    for (let i = 0; i < roundTrips; i++) {
      p.send(conns[i % 2], `round trip ${i}`);
      if (!(await p.settle(i + 1, 10_000))) throw new Error(`1:1 round trip ${i} took over 10 s`);
    }
    return { roundTrips, ack: summarize(p.ack), delivery: summarize(p.delivery) };
  } finally {
    closeAll(conns);
  }
}

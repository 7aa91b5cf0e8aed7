// A flooding member beside the group scenario: the same paced group load is
// measured three times on the same open sockets: quiet, then while one more
// member of the channel sends `typing`, `edit`, `react`, `sync` and `read`
// frames as fast as its socket takes them, then quiet again (the two quiet
// runs, averaged, are the anchor). The budgets
// (typing dropped; the rest refused with `rate_limited`) should leave the
// others' latency and delivery as they were: the ratio flooded ÷ quiet.
// Sends are left out: the benchmark service lifts SEND_RATE_LIMIT for the
// other scenarios, and the send budget has its own tests.
import { Worker } from "node:worker_threads";
import { closeRaw } from "../lib/raw-load.mjs";
import { ratios } from "../lib/stats.mjs";
import { groupLoad, openGroup } from "./group.mjs";

/** The flooding member, in a worker thread (lib/flood-worker.mjs); `stop()` resolves with what it sent and how it was answered. */
function flooder(baseUrl, member, channelId) {
  const url = `${baseUrl.replace("http", "ws")}/api/channels/${channelId}/socket?device=flood`;
  const worker = new Worker(new URL("../lib/flood-worker.mjs", import.meta.url), { workerData: { url, token: member.token } });
  const done = new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const counts = await done;
      await worker.terminate();
      return counts;
    },
  };
}

/** Each percentile of two quiet runs, averaged. */
function meanOf(a, b) {
  const mean = (x, y) => Object.fromEntries(Object.keys(x).map((k) => [k, (x[k] + y[k]) / 2]));
  return { ack: mean(a.ack, b.ack), delivery: mean(a.delivery, b.delivery) };
}

export async function floodBesideGroup(target, members, channelId, opts) {
  const [flooding, ...honest] = members;
  const conns = await openGroup(target, honest, channelId);
  try {
    const quiet = await groupLoad(target, conns, opts);
    const flood = await flooder(target.baseUrl, flooding, channelId);
    const t0 = Date.now();
    let flooded;
    let counts;
    try {
      flooded = await groupLoad(target, conns, opts);
    } finally {
      counts = await flood.stop();
    }
    const seconds = (Date.now() - t0) / 1000;
    // Quiet again after the flood: the two quiet runs together are the anchor, since one run's tail
    // alone moves by half or more between runs on this machine; it also shows nothing stayed slow.
    const quietAfter = await groupLoad(target, conns, opts);
    const quietBoth = meanOf(quiet, quietAfter);
    return {
      members: members.length,
      senders: opts.senders,
      rate: opts.rate,
      flood: {
        framesPerSec: Math.round(counts.sent / seconds),
        refusedPerSec: Math.round(counts.refused / seconds),
        answeredPerSec: Math.round(counts.answered / seconds),
        sockets: counts.sockets,
        closedByServer: counts.closedByServer,
        upgradesRefused: counts.upgradesRefused,
      },
      quiet,
      flooded,
      quietAfter,
      ratio: { ack: ratios(flooded.ack, quietBoth.ack), delivery: ratios(flooded.delivery, quietBoth.delivery) },
    };
  } finally {
    closeRaw(conns);
  }
}

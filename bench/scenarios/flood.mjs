// A flooding member beside the group scenario: the same paced group load is
// measured twice on the same open sockets, first quiet (the anchor), then
// while one more member of the channel sends `typing`, `edit`, `react`,
// `sync` and `read` frames as fast as its socket takes them. The budgets
// (typing dropped; the rest refused with `rate_limited`) should leave the
// others' latency and delivery as they were: the ratio flooded ÷ quiet.
// Sends are left out: the benchmark service lifts SEND_RATE_LIMIT for the
// other scenarios, and the send budget has its own tests.
import WebSocket from "ws";
import { closeRaw } from "../lib/raw-load.mjs";
import { ratios } from "../lib/stats.mjs";
import { groupLoad, openGroup } from "./group.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** One raw socket that floods until stopped; counts what it sent and how it was answered. */
async function flooder(baseUrl, member, channelId, { framesPerTick = 50, tickMs = 5 } = {}) {
  const ws = new WebSocket(`${baseUrl.replace("http", "ws")}/api/channels/${channelId}/socket?device=flood`, ["chat.v1", `bearer.${member.token}`]);
  const counts = { sent: 0, refused: 0, answered: 0 };
  await new Promise((resolve, reject) => {
    ws.once("message", resolve); // the welcome
    ws.once("error", reject);
  });
  ws.on("message", (d) => {
    const f = JSON.parse(String(d));
    if (f.type === "error" && f.code === "rate_limited") counts.refused++;
    else counts.answered++;
  });
  // A message of its own to edit and react to.
  ws.send(JSON.stringify({ type: "send", clientMsgId: "flood-target", body: "flood target" }));
  const seq = await new Promise((resolve) => ws.on("message", (d) => JSON.parse(String(d)).type === "ack" && resolve(JSON.parse(String(d)).message.seq)));
  const frames = [
    { type: "typing" },
    { type: "edit", seq, body: "flooded edit" },
    { type: "react", seq, emoji: "🌊", on: true },
    { type: "react", seq, emoji: "🌊", on: false },
    { type: "sync", after: 0, limit: 200 },
    { type: "read", seq },
  ].map((f) => JSON.stringify(f));
  let running = true;
  const loop = (async () => {
    while (running && ws.readyState === WebSocket.OPEN) {
      // Back-pressure: a flooder that outruns its own socket measures the load generator, not the service.
      if (ws.bufferedAmount < 1 << 20) {
        for (let i = 0; i < framesPerTick; i++) ws.send(frames[counts.sent++ % frames.length]);
      }
      await sleep(tickMs);
    }
  })();
  return {
    counts,
    async stop() {
      running = false;
      await loop;
      ws.close(1000);
    },
  };
}

export async function floodBesideGroup(target, members, channelId, opts) {
  const [flooding, ...honest] = members;
  const conns = await openGroup(target, honest, channelId);
  try {
    const quiet = await groupLoad(target, conns, opts);
    const flood = await flooder(target.baseUrl, flooding, channelId);
    const t0 = Date.now();
    let flooded;
    try {
      flooded = await groupLoad(target, conns, opts);
    } finally {
      await flood.stop();
    }
    const seconds = (Date.now() - t0) / 1000;
    return {
      members: members.length,
      senders: opts.senders,
      rate: opts.rate,
      flood: { framesPerSec: Math.round(flood.counts.sent / seconds), refusedPerSec: Math.round(flood.counts.refused / seconds), answeredPerSec: Math.round(flood.counts.answered / seconds) },
      quiet,
      flooded,
      ratio: { ack: ratios(flooded.ack, quiet.ack), delivery: ratios(flooded.delivery, quiet.delivery) },
    };
  } finally {
    closeRaw(conns);
  }
}

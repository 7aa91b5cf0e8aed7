// Idle cost: resident memory of the runtime processes per open, idle socket,
// for the service (channel sockets through the SDK, spread over channels) and
// for the relay-only Durable Object in the same runtime (plain sockets).
import WebSocket from "ws";
import { closeAll, openChannel, pool } from "../lib/connect.mjs";
import { runtimeRssKiB } from "../lib/rss.mjs";
import { round } from "../lib/stats.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits for the runtime to settle after a burst of connects, then reads its RSS. */
async function settledRss(pgid, waitMs) {
  await sleep(waitMs);
  return runtimeRssKiB(pgid);
}

function rawSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ["chat.v1"]);
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/**
 * Opens sockets in steps up to each of `counts`, spread round-robin over
 * `channels`; `open(i, channel)` opens the i-th. Returns KiB per socket at each count.
 */
async function measure(pgid, channels, counts, open, close, waitMs, log, name) {
  const before = await settledRss(pgid, waitMs);
  const held = [];
  const points = [];
  for (const count of counts) {
    const start = held.length;
    held.push(...(await pool(Array.from({ length: count - start }, (_, k) => start + k), 50, (i) => open(i, channels[i % channels.length]))));
    const rss = await settledRss(pgid, waitMs);
    points.push({ sockets: count, rssKiB: rss, perSocketKiB: round((rss - before) / count, 1) });
    log(`  ${name}: ${count} sockets, runtime RSS ${Math.round(rss / 1024)} MiB, ${round((rss - before) / count, 1)} KiB per socket`);
  }
  close(held);
  return { baselineRssKiB: before, points };
}

/** The service: members' channel sockets through the SDK, several devices per member past 100 per channel. */
export function idleService(service, members, channelIds, { counts, waitMs, log }) {
  const open = (i, channelId) => openChannel(service.baseUrl, members[Math.floor(i / channelIds.length) % members.length], channelId);
  return measure(service.pid, channelIds, counts, open, closeAll, waitMs, log, "service");
}

export function idleRelay(relay, rooms, { counts, waitMs, log }) {
  const open = (_i, room) => rawSocket(`${relay.baseUrl.replace("http", "ws")}/api/channels/${room}/socket`);
  return measure(relay.pid, rooms, counts, open, (list) => list.forEach((ws) => ws.terminate()), waitMs, log, "relay");
}

// Idle cost: resident memory of the runtime processes per open, idle socket,
// for the service (channel sockets through the SDK, spread over channels) and
// for the relay-only Durable Object in the same runtime (plain sockets).
import WebSocket from "ws";
import { closeAll, openChannel, pool } from "../lib/connect.mjs";
import { directBaseUrl } from "../lib/direct.mjs";
import { runtimeRssKiB } from "../lib/rss.mjs";

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

/** A burst of upgrades through wrangler's proxy now and then loses one: try again. */
async function retried(open, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      return await open();
    } catch (err) {
      if (i >= tries) throw err;
      await sleep(200 * i);
    }
  }
}

const perSocket = (now, before, count) => Math.round(((now - before) / count) * 10) / 10;

/**
 * Opens sockets in steps up to each of `counts`, spread round-robin over
 * `channels`; `open(i, channel)` opens the i-th. Returns KiB per socket at
 * each count: of the Worker's runtime (the figure that matters: the platform
 * has no local proxy), of wrangler's proxy, and of both.
 */
async function measure(pgid, channels, counts, open, close, waitMs, log, name, concurrency) {
  const before = await settledRss(pgid, waitMs);
  const held = [];
  const points = [];
  try {
    for (const count of counts) {
      const start = held.length;
      const ids = Array.from({ length: count - start }, (_, k) => start + k);
      held.push(...(await pool(ids, concurrency, (i) => retried(() => open(i, channels[i % channels.length])))));
      const rss = await settledRss(pgid, waitMs);
      const point = {
        sockets: count,
        rssKiB: rss,
        perSocketKiB: perSocket(rss.worker, before.worker, count),
        proxyPerSocketKiB: perSocket(rss.proxy, before.proxy, count),
        totalPerSocketKiB: perSocket(rss.worker + rss.proxy, before.worker + before.proxy, count),
      };
      points.push(point);
      log(`  ${name}: ${count} sockets, ${point.perSocketKiB} KiB per socket in the Worker's runtime (+ ${point.proxyPerSocketKiB} in wrangler's proxy)`);
    }
  } finally {
    close(held);
  }
  return { baselineRssKiB: before, points };
}

/** The service: members' channel sockets through the SDK, several devices per member past 100 per channel. */
export async function idleService(service, members, channelIds, { counts, waitMs, log }) {
  const baseUrl = await directBaseUrl(service.pid, service.baseUrl, "/api/me");
  const open = (i, channelId) => openChannel(baseUrl, members[Math.floor(i / channelIds.length) % members.length], channelId);
  return { direct: baseUrl !== service.baseUrl, ...(await measure(service.pid, channelIds, counts, open, closeAll, waitMs, log, "service", 25)) };
}

export async function idleRelay(relay, rooms, { counts, waitMs, log }) {
  const baseUrl = await directBaseUrl(relay.pid, relay.baseUrl, "/api/channels/probe/socket");
  const open = (_i, room) => rawSocket(`${baseUrl.replace("http", "ws")}/api/channels/${room}/socket`);
  const result = await measure(relay.pid, rooms, counts, open, (list) => list.forEach((ws) => ws.terminate()), waitMs, log, "relay", 25);
  return { direct: baseUrl !== relay.baseUrl, ...result };
}

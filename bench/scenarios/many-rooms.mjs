// Many rooms at once: `channels` groups of `roomSize` members (one raw `ws`
// socket per member per room: the SDK is too heavy for thousands of sockets on
// 2 cores), `rate` messages/s spread at random over them, with the busy-room
// load of the group scenario running beside it. Reports fan-out latency per
// room size, memory per room, and how the load spread over objects.
import { performance } from "node:perf_hooks";
import { pool } from "../lib/connect.mjs";
import { closeRaw, openRawSocket, rawProbe } from "../lib/raw-load.mjs";
import { directBaseUrl } from "../lib/direct.mjs";
import { runtimeRssKiB } from "../lib/rss.mjs";
import { round, summarize } from "../lib/stats.mjs";
import { groupLoad, openGroup } from "./group.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** POST /api/channels, waiting out a 429 (group creation may have a budget). */
async function createGroup(baseUrl, creator, others, title) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const res = await fetch(`${baseUrl}/api/channels`, {
      method: "POST",
      headers: { Authorization: `Bearer ${creator.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title, members: others.map((m) => m.handle) }),
    });
    if (res.status === 201) return (await res.json()).channel.id;
    if (res.status !== 429) throw new Error(`group creation: ${res.status} ${await res.text()}`);
    await sleep(Number(res.headers.get("Retry-After") ?? 1) * 1000);
  }
  throw new Error("group creation: still rate limited");
}

/**
 * `people`: signed-up members ({token, userId, handle}); rooms take `roomSize`
 * consecutive ones, so each person sits in channels*roomSize/people.length rooms.
 * `busyChannelId`: the group scenario's channel of all `people`, loaded beside.
 */
export async function manyRooms(service, people, busyChannelId, opts) {
  const { channels, roomSize, rate, durationMs, settleMs, busy, log } = opts;
  if (people.length < roomSize) throw new Error(`many rooms needs at least ${roomSize} people`);
  const baseUrl = await directBaseUrl(service.pid, service.baseUrl, "/api/me");
  const wsBase = baseUrl.replace("http", "ws");
  const rss0 = runtimeRssKiB(service.pid);

  const t0 = performance.now();
  const rooms = await pool(Array.from({ length: channels }, (_, i) => i), 4, async (i) => {
    const members = Array.from({ length: roomSize }, (_, k) => people[(i * roomSize + k) % people.length]);
    return { id: await createGroup(service.baseUrl, members[0], members.slice(1), `room ${i}`), members, sockets: [] };
  });
  log(`  many rooms: ${channels} groups of ${roomSize} created in ${round((performance.now() - t0) / 1000, 1)} s`);

  const t1 = performance.now();
  const conns = await pool(rooms.flatMap((room) => room.members.map((member, k) => ({ room, member, k }))), 25, async ({ room, member, k }) => {
    const conn = { member, ws: await openRawSocket(`${wsBase}/api/channels/${room.id}/socket?device=mr${k}`, member.token) };
    room.sockets[k] = conn;
    return conn;
  });
  // Latency from each send to its ack and to each other member's socket, measured in this process.
  const probe = rawProbe(conns);
  const rss1 = runtimeRssKiB(service.pid);
  log(`  many rooms: ${conns.length} sockets open in ${round((performance.now() - t1) / 1000, 1)} s; Worker runtime ${round((rss1.worker - rss0.worker) / 1024, 1)} MiB above the start`);

  let busyResult = null;
  let busyConns = [];
  try {
    if (busy) busyConns = await openGroup(service, people, busyChannelId);
    // Paced: every 10 ms, the sends that are due, each from a random member of a random room.
    const perRoomSent = new Array(rooms.length).fill(0);
    let sent = 0;
    const spread = (async () => {
      const start = performance.now();
      while (performance.now() - start < durationMs) {
        const due = Math.floor(((performance.now() - start) / 1000) * rate);
        while (sent < due) {
          const r = Math.floor(Math.random() * rooms.length);
          const room = rooms[r];
          probe.send(room.sockets[Math.floor(Math.random() * roomSize)], `many rooms ${sent}`);
          perRoomSent[r]++;
          sent++;
        }
        await sleep(10);
      }
    })();
    const busyRun = busy ? groupLoad(service, busyConns, { ...busy, durationMs, settleMs }) : Promise.resolve(null);
    [, busyResult] = await Promise.all([spread, busyRun]);
    const expected = sent * (roomSize - 1);
    const complete = await probe.settle(expected, settleMs);
    const rss2 = runtimeRssKiB(service.pid);
    const busiest = Math.max(...perRoomSent);
    const small = summarize(probe.delivery);
    log(`  many rooms: rooms of ${roomSize}: delivery p50 ${small.p50} p99 ${small.p99} ms (${probe.delivered}/${expected}); room of ${people.length}: p50 ${busyResult?.delivery.p50} p99 ${busyResult?.delivery.p99} ms`);
    return {
      channels,
      roomSize,
      sockets: conns.length,
      rate,
      durationMs,
      sent,
      expected,
      delivered: probe.delivered,
      acked: probe.ack.length,
      complete,
      errors: probe.errors.slice(0, 3),
      smallRooms: { size: roomSize, ack: summarize(probe.ack), delivery: small },
      busyRoom: busyResult && { size: people.length, rate: busy.rate, senders: busy.senders, sent: busyResult.sent, complete: busyResult.complete, ack: busyResult.ack, delivery: busyResult.delivery },
      memory: {
        workerRuntimeKiB: { start: rss0.worker, withSockets: rss1.worker, afterLoad: rss2.worker },
        perRoomKiB: round((rss1.worker - rss0.worker) / channels, 1),
        perSocketKiB: round((rss1.worker - rss0.worker) / conns.length, 1),
      },
      // Load spread: each message touches its own room's object (and that room's members' hubs, by the drain), nothing else.
      spread: { roomsThatSent: perRoomSent.filter((n) => n > 0).length, busiestRoomMessages: busiest, busiestRoomShare: round(busiest / Math.max(sent, 1), 4) },
    };
  } finally {
    probe.stop();
    closeRaw(busyConns);
    closeRaw(conns);
  }
}

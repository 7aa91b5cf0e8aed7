// Crash the whole service (SIGKILL to wrangler and workerd) while many clients
// send, over socket and HTTP; restart it on the same state folder; let every
// client reconnect, resync and resend its outbox. Then check, Jepsen "set"
// style: every acked message is stored exactly once, as acked; seq has no gap;
// no resend made a duplicate; every device holds the full history; every
// member's UserHub caught up with the right unread count.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startService } from "../e2e/helpers/service.mjs";
import { answeredFromFirstCopy, ChannelClient } from "./helpers/channel-client.mjs";
import { checkSet } from "./helpers/check.mjs";
import { call, eventually, expectCall, fullHistory, signup, sleep } from "./helpers/http.mjs";

const USERS = 8;
const ROUNDS = 4;
const WINDOW = 4; // unacked sends a socket client allows itself, like a real outbox
const KILL_AFTER_MS = [1200, 3500]; // random moment in this range after the last restart

const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo));

/** Sends over HTTP, retrying with the same clientMsgId until a 201 or 200 answer. */
function httpWriter(baseUrlOf, who, channelId, name) {
  const w = { senderId: who.user.id, sent: new Map(), acks: new Map(), ackedAt: new Map(), cuts: [], name, answers5xx: [], running: true, stopped: null };
  w.stopped = (async () => {
    for (let n = 1; w.running; n++) {
      const clientMsgId = `${name}-${n}`;
      const body = `http ${name} #${n} ${"·".repeat(n % 7)}`;
      w.sent.set(clientMsgId, body);
      for (;;) {
        try {
          const res = await call(baseUrlOf(), "POST", `/channels/${channelId}/messages`, { token: who.token, json: { clientMsgId, body }, timeoutMs: 5_000 });
          if (res.status === 201 || res.status === 200) {
            w.acks.set(clientMsgId, res.body.message);
            w.ackedAt.set(clientMsgId, Date.now());
            break;
          }
          if (res.status >= 500) w.answers5xx.push(`${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
          else throw new Error(`POST refused: ${res.status} ${JSON.stringify(res.body)}`);
        } catch (err) {
          if (!(err instanceof TypeError) && err.name !== "TimeoutError") throw err; // only network failures are retried
        }
        await sleep(100);
      }
      await sleep(rand(5, 30));
    }
  })();
  return w;
}

describe("SIGKILL of the whole service while clients send", { timeout: 240_000 }, () => {
  let service;
  const baseUrlOf = () => service.baseUrl;

  before(async () => {
    // A high send limit: this suite measures durability, not the rate limiter.
    service = await startService({ vars: { SEND_RATE_LIMIT: "1000" } });
  });
  after(async () => {
    await service?.stop();
  });

  test(`loses nothing and duplicates nothing over ${ROUNDS} random kills`, async (t) => {
    const base = service.baseUrl;
    const people = [];
    for (let i = 0; i < USERS; i++) people.push(await signup(base, `kill${i}`));
    const group = (await expectCall(base, "POST", "/channels", { token: people[0].token, json: { title: "crash", members: people.slice(1).map((p) => p.handle) } }, 201)).channel;
    const dms = [];
    for (let i = 0; i < USERS; i += 2) {
      dms.push({ channel: (await expectCall(base, "POST", "/dms", { token: people[i].token, json: { handle: people[i + 1].handle } }, 201)).channel, pair: [people[i], people[i + 1]] });
    }
    const channels = [group, ...dms.map((d) => d.channel)];
    const membersOf = new Map([[group.id, people], ...dms.map((d) => [d.channel.id, d.pair])]);

    // Every user holds a socket on the group and on their DM, and sends on both.
    const clients = [];
    people.forEach((p, i) => {
      const dm = dms[Math.floor(i / 2)].channel;
      for (const channel of [group, dm]) {
        const c = new ChannelClient({ baseUrl: base, token: p.token, channelId: channel.id, name: `u${i}-${channel.id.slice(0, 6)}` });
        c.senderId = p.user.id;
        clients.push(c.start());
      }
    });
    let sending = true;
    const senders = clients.map(async (c) => {
      let n = 0;
      while (sending) {
        if (c.outbox.size < WINDOW) c.queue(`${c.name} says ${++n} ${n % 3 ? "✓" : "🙂 ünïcödé"}`);
        await sleep(rand(10, 40));
      }
    });
    const writers = [httpWriter(baseUrlOf, people[0], group.id, "h0"), httpWriter(baseUrlOf, people[1], group.id, "h1")];
    const allReady = (minWelcomes) => eventually(async () => clients.every((c) => c.ready && c.welcomes >= minWelcomes), 60_000, "every client reconnected");
    await allReady(1);

    for (let round = 1; round <= ROUNDS; round++) {
      const killAt = rand(...KILL_AFTER_MS);
      await sleep(killAt);
      const inFlight = clients.reduce((n, c) => n + c.outbox.size, 0);
      const acked = clients.reduce((n, c) => n + c.acks.size, 0) + writers.reduce((n, w) => n + w.acks.size, 0);
      await service.kill("SIGKILL");
      const downAt = Date.now();
      for (const w of [...clients, ...writers]) w.cuts.push(downAt);
      service = await service.restart({ build: false });
      t.diagnostic(`round ${round}: killed ${killAt} ms after the last restart, ${acked} acked so far, ${inFlight} socket sends in flight; down ${Date.now() - downAt} ms`);
      await allReady(round + 1);
    }

    // Quiesce: stop writing, then every outbox must drain against the restarted service.
    await sleep(500);
    sending = false;
    for (const w of writers) w.running = false;
    await Promise.all([...senders, ...writers.map((w) => w.stopped)]);
    await Promise.all(clients.map((c) => c.drained(60_000)));

    const totals = { sent: 0, acked: 0, stored: 0, lost: 0, duplicated: 0 };
    for (const channel of channels) {
      const stored = await fullHistory(service.baseUrl, membersOf.get(channel.id)[0].token, channel.id);
      const channelWriters = [...clients.filter((c) => c.channelId === channel.id), ...(channel.id === group.id ? writers : [])];
      const r = checkSet(stored, channelWriters);
      assert.deepEqual(r.problems, [], `channel ${channel.id}`);
      // After the drain every send was acked, so the stored set is exactly the sent set.
      assert.equal(r.unacked, 0);
      assert.equal(r.stored, r.sent);
      for (const k of Object.keys(totals)) totals[k] += r[k];

      // Every device resynced to the end and holds exactly what is stored.
      for (const c of clients.filter((c) => c.channelId === channel.id)) {
        await c.holds(stored.length, 20_000);
        assert.deepEqual(c.violations, [], c.name);
        assert.equal(c.held.size, stored.length, `${c.name} holds more than is stored`);
        for (const m of stored) assert.deepEqual(c.held.get(m.seq), m, `${c.name} seq ${m.seq}`);
      }

      // Each member's UserHub caught up through the room's outbox, whatever the crash interrupted.
      for (const member of membersOf.get(channel.id)) {
        const fromOthers = stored.filter((m) => m.senderId !== member.user.id);
        await eventually(
          async () => {
            const list = await expectCall(service.baseUrl, "GET", "/channels", { token: member.token }, 200);
            const s = list.channels.find((x) => x.channel.id === channel.id);
            return s && s.lastSeq === stored.length && s.unread === fromOthers.filter((m) => m.seq > s.readSeq).length;
          },
          30_000,
          `${member.handle}'s summary of ${channel.id} at seq ${stored.length}`,
        );
      }
    }
    const http5xx = writers.flatMap((w) => w.answers5xx);
    t.diagnostic(`totals over ${ROUNDS} kills: sent ${totals.sent}, acked ${totals.acked}, stored ${totals.stored}, lost ${totals.lost}, duplicated ${totals.duplicated}`);
    const recovered = [...clients, ...writers].reduce((n, w) => n + answeredFromFirstCopy(w), 0);
    t.diagnostic(`sends stored before a kill, acked only after it from the first copy: ${recovered}`);
    t.diagnostic(`reconnects: ${clients.reduce((n, c) => n + c.connects, 0)}, 5xx answers while restarting: ${http5xx.length} ${JSON.stringify(http5xx.slice(0, 3))}`);
    assert.equal(totals.lost, 0);
    assert.equal(totals.duplicated, 0);
    assert.ok(totals.acked > ROUNDS * 50, `enough load to mean something (${totals.acked} acked)`);
    clients.forEach((c) => c.stop());
  });
});

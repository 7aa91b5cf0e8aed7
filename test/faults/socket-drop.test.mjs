// Sockets cut on the client side (TCP dropped, no closing handshake) in the
// middle of sending and of receiving, then resumed by `sync` and an outbox
// resend: nothing skipped, nothing stored or held twice. Also: what the
// service prints holds no token, password or message body.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startService } from "../e2e/helpers/service.mjs";
import { answeredFromFirstCopy, ChannelClient } from "./helpers/channel-client.mjs";
import { checkSet } from "./helpers/check.mjs";
import { call, eventually, expectCall, fullHistory, PASSWORD, signup, sleep } from "./helpers/http.mjs";

const DROPS = 25;
const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo));

/** Waits for a fresh welcome after a drop. */
async function reconnected(c, welcomesBefore) {
  await eventually(async () => c.ready && c.welcomes > welcomesBefore, 30_000, () => `${c.name} reconnected (refused: ${c.refusals.slice(-5)}, connects ${c.connects}, welcomes ${c.welcomes})`);
}

/** The channel as stored, and every device holding exactly that. */
async function assertHeldEverywhere(service, token, channelId, devices) {
  const stored = await fullHistory(service.baseUrl, token, channelId);
  for (const d of devices) {
    await d.holds(stored.length, 15_000);
    assert.deepEqual(d.violations, [], d.name);
    assert.equal(d.held.size, stored.length, `${d.name} holds messages that are not stored`);
    for (const m of stored) assert.deepEqual(d.held.get(m.seq), m, `${d.name} seq ${m.seq}`);
  }
  return stored;
}

describe("sockets dropped mid-send and resumed", { timeout: 180_000 }, () => {
  let service;
  const secrets = [];
  const open = [];

  before(async () => {
    service = await startService({ vars: { SEND_RATE_LIMIT: "1000" }, build: false });
  });
  after(async () => {
    open.forEach((c) => c.stop());
    await service?.stop();
  });

  async function pair(prefix) {
    const a = await signup(service.baseUrl, `${prefix}a`);
    const b = await signup(service.baseUrl, `${prefix}b`);
    secrets.push(a.token, b.token);
    const channel = (await expectCall(service.baseUrl, "POST", "/dms", { token: a.token, json: { handle: b.handle } }, 201)).channel;
    return { a, b, channel };
  }

  function device(who, channel, name) {
    const c = new ChannelClient({ baseUrl: service.baseUrl, token: who.token, channelId: channel.id, name, reconnectMs: 20 });
    c.senderId = who.user.id;
    open.push(c);
    return c.start();
  }

  test("a sender cut off mid-burst resends its outbox: every message stored once, seq without gap", async (t) => {
    const { a, b, channel } = await pair("sd");
    const sender = device(a, channel, "a-phone");
    const reader = device(b, channel, "b-laptop");
    await reconnected(sender, 0);
    await reconnected(reader, 0);
    for (let i = 0; i < DROPS; i++) {
      for (let k = 0; k < 8; k++) sender.queue(`burst ${i}.${k} — secret-body-${i}-${k}`);
      await sleep(rand(0, 25)); // some of the burst stored, some acked, some not yet read by the server
      const before = sender.welcomes;
      sender.drop();
      await reconnected(sender, before);
    }
    await sender.drained(20_000);
    const stored = await assertHeldEverywhere(service, a.token, channel.id, [sender, reader]);
    const r = checkSet(stored, [sender]);
    assert.deepEqual(r.problems, []);
    assert.equal(r.stored, DROPS * 8);
    const resentFromCopy = answeredFromFirstCopy(sender);
    t.diagnostic(`sent ${r.sent}, acked ${r.acked}, stored ${r.stored}, lost ${r.lost}, duplicated ${r.duplicated}; resends answered from the first copy: ${resentFromCopy}`);
    secrets.push(...sender.sent.values());
  });

  test("a reader cut off while messages arrive resumes by sync: no gap, no repeat", async (t) => {
    const { a, b, channel } = await pair("rd");
    const sender = device(a, channel, "a-desk");
    const reader = device(b, channel, "b-phone");
    await reconnected(sender, 0);
    await reconnected(reader, 0);
    let sending = true;
    const load = (async () => {
      for (let n = 0; sending; n++) {
        if (sender.outbox.size < 4) sender.queue(`stream ${n} secret-stream-${n}`);
        await sleep(15);
      }
    })();
    for (let i = 0; i < DROPS; i++) {
      await sleep(rand(20, 120));
      const before = reader.welcomes;
      reader.drop();
      // Stay away a moment so the gap is real, then come back.
      await sleep(rand(0, 60));
      await reconnected(reader, before);
    }
    sending = false;
    await load;
    await sender.drained(20_000);
    const stored = await assertHeldEverywhere(service, a.token, channel.id, [sender, reader]);
    const r = checkSet(stored, [sender]);
    assert.deepEqual(r.problems, []);
    t.diagnostic(`${stored.length} messages streamed across ${DROPS} reader drops; reader synced ${reader.frameCount.history} pages, got ${reader.frameCount.message} live; ${reader.welcomes} welcomes, ${reader.connects} connects`);
    secrets.push(...sender.sent.values());
  });

  test("two devices of one sender, both cut repeatedly, interleave without gap or duplicate", async () => {
    const { a, b, channel } = await pair("2d");
    const phone = device(a, channel, "a-phone2");
    const laptop = device(a, channel, "a-laptop2");
    const reader = device(b, channel, "b-tab");
    for (const d of [phone, laptop, reader]) await reconnected(d, 0);
    for (let i = 0; i < 10; i++) {
      for (const d of [phone, laptop]) for (let k = 0; k < 5; k++) d.queue(`${d.name} ${i}.${k}`);
      await sleep(rand(0, 20));
      const dropped = i % 2 ? phone : laptop;
      const before = dropped.welcomes;
      dropped.drop();
      await reconnected(dropped, before);
    }
    await Promise.all([phone.drained(20_000), laptop.drained(20_000)]);
    const stored = await assertHeldEverywhere(service, a.token, channel.id, [phone, laptop, reader]);
    // Each device names its own clientMsgIds; the set check runs per device of the one sender.
    const r = checkSet(stored, [phone, laptop]);
    assert.deepEqual(r.problems, []);
    assert.equal(r.stored, 100);
  });

  test("the service's output holds no token, password or message body", async () => {
    // A failed and a good login, and a logout, so the auth paths have run too.
    const u = await signup(service.baseUrl, "logs");
    secrets.push(u.token);
    await call(service.baseUrl, "POST", "/auth/login", { json: { handle: u.handle, password: "wrong-password-secret" } });
    const login = await expectCall(service.baseUrl, "POST", "/auth/login", { json: { handle: u.handle, password: PASSWORD } }, 200);
    secrets.push(login.token);
    await expectCall(service.baseUrl, "POST", "/auth/logout", { token: login.token }, 204);
    await sleep(500);
    const output = service.output();
    // The log is really captured: wrangler prints a line per request.
    assert.match(output, /\/api\//);
    const leaks = [...new Set(secrets)].filter((s) => output.includes(s));
    assert.deepEqual(leaks.map((s) => s.slice(0, 24)), []);
    for (const word of [PASSWORD, "wrong-password-secret", "secret-body-", "secret-stream-"]) assert.ok(!output.includes(word), word);
  });
});

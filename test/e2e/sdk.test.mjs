// The client SDK under Node against the real service: resume after a dropped
// socket, de-duplication, the outbox's resends, and dead-socket detection.
// The network is cut for real by a TCP proxy between the SDK and the service.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { buildSdk } from "../../scripts/build-web.mjs";
import { startService } from "./helpers/service.mjs";

const PASSWORD = "correct horse battery";
let service;
let sdk;
let sdkDir;
const clients = [];
const proxies = [];

/**
 * A TCP proxy to the service that can cut the network: `cut()` destroys every
 * connection and refuses new ones until `restore()`; `muteReplies()` keeps
 * connections open but drops everything the service sends (a silent dead link).
 */
async function networkProxy(targetPort) {
  let mode = "pass";
  const pairs = new Set();
  const server = createServer((client) => {
    if (mode === "refuse") return client.destroy();
    const upstream = createConnection(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => mode === "pass" && client.write(d));
    for (const s of [client, upstream]) s.on("close", end).on("error", end);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const proxy = {
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    cut() {
      mode = "refuse";
      for (const { client, upstream } of pairs) (client.destroy(), upstream.destroy());
      pairs.clear();
    },
    muteReplies() {
      mode = "mute";
    },
    restore() {
      mode = "pass";
    },
    close: () => new Promise((r) => (proxy.cut(), server.close(r))),
  };
  proxies.push(proxy);
  return proxy;
}

let userCount = 0;
/** A signed-up user with a ChatClient on `baseUrl` (the service, or a proxy to it). */
async function user(name, baseUrl = service.baseUrl, options = {}) {
  const handle = `${name}_${Date.now().toString(36)}${userCount++}`;
  const client = new sdk.ChatClient({ baseUrl, WebSocket, minReconnectDelayMs: 100, maxReconnectDelayMs: 500, ...options });
  const { user } = await client.http.signup({ handle, password: PASSWORD, displayName: name });
  clients.push(client);
  return { client, user, handle };
}

async function until(what, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Opens a channel on a client and records every `messages` event it emits. */
async function openRecorded(client, channelId) {
  const conn = client.channel(channelId);
  const received = [];
  let welcomes = 0;
  conn.events.on("messages", (ms) => received.push(...ms));
  conn.events.on("welcome", () => welcomes++);
  await until("the first sync", () => conn.status.value === "open" && conn.cursor.value !== null);
  return { conn, received, welcomes: () => welcomes };
}

/**
 * A WebSocket (ws) that records every frame it sends and receives, for
 * asserting what a sync asked for: `received` has the frames a `frames` batch
 * carried as frames of their own, `raw` what came over the wire.
 */
function recordingWebSocket() {
  const sent = [];
  const received = [];
  const raw = [];
  class Recording extends WebSocket {
    constructor(...args) {
      super(...args);
      this.on("message", (data) => {
        const frame = JSON.parse(String(data));
        raw.push(frame);
        received.push(...(frame.type === "frames" ? frame.frames : [frame]));
      });
    }
    send(data, ...rest) {
      sent.push(JSON.parse(String(data)));
      return super.send(data, ...rest);
    }
  }
  return { WebSocket: Recording, sent, received, raw };
}

/** A second client of the same person on the same cache, as after a reload of the page. */
function reloaded(person, baseUrl, cache, options = {}) {
  const client = new sdk.ChatClient({ baseUrl, WebSocket, token: person.client.http.token, user: person.user, device: person.client.device, cache, minReconnectDelayMs: 100, maxReconnectDelayMs: 500, ...options });
  clients.push(client);
  return client;
}

const seqs = (messages) => messages.map((m) => m.seq);
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("client SDK against the real service", { timeout: 240_000 }, () => {
  before(async () => {
    sdkDir = mkdtempSync(join(tmpdir(), "edge-chat-sdk-"));
    const [outfile, started] = await Promise.all([buildSdk({ outfile: join(sdkDir, "sdk.mjs") }), startService()]);
    service = started;
    sdk = await import(outfile);
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const p of proxies) await p.close();
    await service?.stop();
    if (sdkDir) rmSync(sdkDir, { recursive: true, force: true });
  });

  test("resumes after a dropped socket with no gap and no duplicate", async () => {
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl);
    const dm = await alice.client.http.openDm(bob.handle);
    const send = (i) => alice.client.http.sendMessage(dm.id, { clientMsgId: `resume-${i}`, body: `message ${i}` });

    const b = await openRecorded(bob.client, dm.id);
    for (let i = 1; i <= 5; i++) await send(i);
    await until("Bob's live messages", () => b.conn.cursor.value === 5);

    proxy.cut();
    await until("Bob to notice the cut", () => b.conn.status.value === "connecting");
    for (let i = 6; i <= 12; i++) await send(i);
    proxy.restore();
    // More live messages while Bob reconnects and syncs, so live frames and history overlap.
    for (let i = 13; i <= 18; i++) await send(i);

    await until("Bob to hold all 18", () => b.conn.cursor.value === 18);
    await new Promise((r) => setTimeout(r, 300)); // any late duplicate would show up now
    assert.ok(b.welcomes() >= 2, "Bob reconnected");
    assert.deepEqual(seqs(b.conn.messages.value), range(1, 18));
    assert.deepEqual(seqs(b.received).sort((x, y) => x - y), range(1, 18), "each message reached Bob's listeners exactly once");
    assert.equal(new Set(b.received.map((m) => m.id)).size, 18);
    assert.deepEqual(
      b.conn.messages.value.map((m) => m.body),
      range(1, 18).map((i) => `message ${i}`),
    );
  });

  test("a message sent while offline goes out once when the network returns", async () => {
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl);
    const dm = await alice.client.http.openDm(bob.handle);
    const a = await openRecorded(alice.client, dm.id);
    const b = await openRecorded(bob.client, dm.id);

    proxy.cut();
    await until("Bob to notice the cut", () => b.conn.status.value === "connecting");
    const pending = b.conn.send("typed while offline");
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(
      b.conn.pending.value.map((p) => p.clientMsgId),
      [pending.clientMsgId],
      "it waits in the outbox",
    );

    proxy.restore();
    await until("the outbox to drain", () => b.conn.pending.value.length === 0);
    await until("Alice to receive it", () => a.received.length === 1);
    await new Promise((r) => setTimeout(r, 500));

    const stored = (await alice.client.http.messagesAfter(dm.id, 0)).messages;
    assert.deepEqual(
      stored.map((m) => [m.body, m.clientMsgId, m.senderId]),
      [["typed while offline", pending.clientMsgId, bob.user.id]],
    );
    assert.equal(a.received.length, 1, "Alice got it once");
    assert.deepEqual(seqs(b.conn.messages.value), [1], "Bob holds it once");
  });

  test("a send whose ack was lost is resent with the same clientMsgId and stored once", async () => {
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl);
    const dm = await alice.client.http.openDm(bob.handle);
    const b = await openRecorded(bob.client, dm.id);

    proxy.muteReplies(); // the send reaches the server; the ack never comes back
    const pending = b.conn.send("ack lost on the way");
    await until("the server to store it", async () => (await alice.client.http.messagesAfter(dm.id, 0)).messages.length === 1);
    assert.equal(b.conn.pending.value.length, 1, "unacked, so still in the outbox");

    proxy.cut();
    await until("Bob to notice the cut", () => b.conn.status.value === "connecting");
    proxy.restore();
    await until("the outbox to drain", () => b.conn.pending.value.length === 0);

    const stored = (await alice.client.http.messagesAfter(dm.id, 0)).messages;
    assert.equal(stored.length, 1, "the resend stored nothing new");
    assert.equal(stored[0].clientMsgId, pending.clientMsgId);
    assert.deepEqual(seqs(b.conn.messages.value), [1]);
  });

  test("rate-limited sends wait for retryAfterMs and are then stored once each", async () => {
    const alice = await user("Alice");
    const bob = await user("Bob");
    const group = await alice.client.http.createGroup({ title: "burst", members: [bob.handle] });
    const a = await openRecorded(alice.client, group.id);
    const errors = [];
    a.conn.events.on("error", (e) => errors.push(e));

    const total = 34; // the default limit is 30 per 10 s
    const sent = Array.from({ length: total }, (_, i) => a.conn.send(`burst ${i}`));
    await until("some sends to be refused", () => errors.some((e) => e.code === "rate_limited"), 10_000);
    await until("every send to be acked", () => a.conn.pending.value.length === 0, 30_000);

    const stored = (await alice.client.http.messagesAfter(group.id, 0, 200)).messages;
    assert.equal(stored.length, total);
    assert.deepEqual(new Set(stored.map((m) => m.clientMsgId)), new Set(sent.map((p) => p.clientMsgId)));
    assert.deepEqual(seqs(a.conn.messages.value), range(1, total));
  });

  test("a socket that stops answering pings is replaced", async () => {
    const proxy = await networkProxy(service.port);
    const bob = await user("Bob", proxy.baseUrl, { pingIntervalMs: 200 });
    const inbox = bob.client.connectInbox();
    await until("the inbox welcome", () => inbox.status.value === "open");
    let welcomes = 0;
    inbox.events.on("welcome", () => welcomes++);

    proxy.muteReplies(); // no close, no error: only silence
    const mutedAt = Date.now();
    await until("the SDK to give up on the silent socket", () => inbox.status.value === "connecting", 3_000);
    assert.ok(Date.now() - mutedAt < 2_000, "within a few missed pongs");
    proxy.restore();
    await until("a new welcome", () => welcomes === 1 && inbox.status.value === "open");
  });

  test("a silent network shows as offline within seconds, and the partner's presence as unknown", async () => {
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl, { pingIntervalMs: 1000 });
    await alice.client.http.openDm(bob.handle);
    alice.client.connectInbox();
    const inbox = bob.client.connectInbox();
    await until("Bob online", () => bob.client.connection.value === "online");
    await until("Alice's presence known to Bob", () => inbox.presence.value.get(alice.user.id)?.state === "online");

    proxy.muteReplies();
    const mutedAt = Date.now();
    await until("Bob offline", () => bob.client.connection.value === "offline", 10_000);
    // A ping each second, 2 s for its pong, 1 s of grace.
    assert.ok(Date.now() - mutedAt < 5_000, `offline after ${Date.now() - mutedAt} ms`);
    assert.equal(inbox.presence.value.get(alice.user.id), undefined, "nobody's presence is known while offline");

    proxy.restore();
    await until("Bob online again", () => bob.client.connection.value === "online");
    await until("Alice's presence known again", () => inbox.presence.value.get(alice.user.id)?.state === "online");
  });

  test("a channel kept in the cache shows before the welcome and syncs only the gap, with the edits made meanwhile", async () => {
    const cache = new sdk.MemoryCache();
    const alice = await user("Alice");
    const bob = await user("Bob", service.baseUrl, { cache });
    const dm = await alice.client.http.openDm(bob.handle);
    for (let i = 1; i <= 20; i++) await alice.client.http.sendMessage(dm.id, { clientMsgId: `gap-${i}`, body: `message ${i}` });
    const first = await openRecorded(bob.client, dm.id);
    await until("Bob to hold all 20", () => first.conn.cursor.value === 20);
    await until("the cache to keep them", async () => (await cache.loadChannel(dm.id))?.cursor === 20);
    bob.client.close();

    for (let i = 21; i <= 25; i++) await alice.client.http.sendMessage(dm.id, { clientMsgId: `gap-${i}`, body: `message ${i}` });
    await alice.client.http.editMessage(dm.id, 3, "message 3, edited");

    const wire = recordingWebSocket();
    const again = reloaded(bob, service.baseUrl, cache, { WebSocket: wire.WebSocket });
    const conn = again.channel(dm.id);
    let heldAtWelcome = -1;
    conn.events.on("welcome", () => (heldAtWelcome = conn.messages.value.length));
    await until("the gap synced", () => conn.cursor.value === 25 && conn.messageAt(3)?.body === "message 3, edited");

    assert.equal(heldAtWelcome, 20, "the cached messages were shown before the socket was even welcomed");
    const syncs = wire.sent.filter((f) => f.type === "sync");
    assert.equal(syncs[0].after, 20, "the first sync asks only after the cached cursor");
    assert.equal(typeof syncs[0].changesAfter, "number");
    const fetched = wire.received.filter((f) => f.type === "history").flatMap((f) => f.messages);
    assert.deepEqual(seqs(fetched), range(21, 25), "only the 5 new messages came over the wire");
    assert.deepEqual(seqs(conn.messages.value), range(1, 25));
  });

  test("after a reload with the network cut, the cached channels and messages show, marked offline", async () => {
    const cache = new sdk.MemoryCache();
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl, { cache });
    const dm = await alice.client.http.openDm(bob.handle);
    for (let i = 1; i <= 3; i++) await alice.client.http.sendMessage(dm.id, { clientMsgId: `off-${i}`, body: `kept ${i}` });
    const inbox = bob.client.connectInbox();
    const conn = bob.client.channel(dm.id);
    await until("Bob synced", () => conn.cursor.value === 3 && inbox.summaries.value.length === 1);
    await until("the cache to keep the inbox", async () => (await cache.loadInbox())?.summaries.length === 1);
    await until("the cache to keep the channel", async () => (await cache.loadChannel(dm.id))?.cursor === 3);
    bob.client.close();

    proxy.cut();
    const again = reloaded(bob, proxy.baseUrl, cache);
    const offlineInbox = again.connectInbox();
    const offlineConn = again.channel(dm.id);
    await until("the cached channel list", () => offlineInbox.summaries.value.length === 1);
    await until("the cached messages", () => offlineConn.messages.value.length === 3);
    assert.equal(offlineInbox.summaries.value[0].channel.id, dm.id);
    assert.deepEqual(offlineConn.messages.value.map((m) => m.body), ["kept 1", "kept 2", "kept 3"]);
    assert.equal(offlineConn.channel.value?.id, dm.id, "the channel's title and members are known from the cache");
    await until("offline shown", () => again.connection.value === "offline", 3_000);
    assert.equal(offlineInbox.presence.value.size, 0, "nobody's presence is known offline");

    proxy.restore();
    await until("back online", () => again.connection.value === "online", 15_000);
    await alice.client.http.sendMessage(dm.id, { clientMsgId: "off-4", body: "after" });
    await until("live again", () => offlineConn.cursor.value === 4);
  });

  test("a message sent offline before a reload goes out once after it, without opening its channel", async () => {
    const cache = new sdk.MemoryCache();
    const proxy = await networkProxy(service.port);
    const alice = await user("Alice");
    const bob = await user("Bob", proxy.baseUrl, { cache });
    const dm = await alice.client.http.openDm(bob.handle);
    const b = await openRecorded(bob.client, dm.id);
    proxy.cut();
    await until("Bob to notice the cut", () => b.conn.status.value === "connecting");
    const pending = b.conn.send("typed, then the page reloaded");
    await until("the outbox kept", async () => (await cache.loadOutbox(bob.client.device)).length === 1);
    bob.client.close();

    const again = reloaded(bob, proxy.baseUrl, cache);
    await until("the kept send counted", () => again.unsent.value === 1);
    proxy.restore();
    await until("the outbox to drain", () => again.unsent.value === 0, 20_000);
    const stored = (await alice.client.http.messagesAfter(dm.id, 0)).messages;
    assert.deepEqual(stored.map((m) => [m.body, m.clientMsgId]), [["typed, then the page reloaded", pending.clientMsgId]]);
    await until("the background channel to close", () => again.openChannels().length === 0);
  });

  test("a burst of messages, an edit and reactions that arrives as one frames frame shows in full, in order", async () => {
    const alice = await user("Alice");
    const bob = await user("Bob");
    const dm = await alice.client.http.openDm(bob.handle);
    await alice.client.http.sendMessage(dm.id, { clientMsgId: "burst-0", body: "first" });
    const wire = recordingWebSocket();
    const again = reloaded(bob, service.baseUrl, new sdk.MemoryCache(), { WebSocket: wire.WebSocket });
    const conn = again.channel(dm.id);
    await until("Bob's first sync", () => conn.status.value === "open" && conn.cursor.value === 1);
    // Alice's frames go out back to back on one socket, so the room handles them before it next sends:
    // one burst. Bursts are the room's timing, not the client's, so try a few until one comes as one frame.
    const raw = new WebSocket(`${service.baseUrl.replace("http", "ws")}/api/channels/${dm.id}/socket?device=burst`, ["chat.v1", `bearer.${alice.client.http.token}`]);
    await new Promise((resolve, reject) => (raw.once("message", resolve), raw.once("error", reject)));
    let sent = 1;
    const live = () => wire.raw.slice(heldAtOpen).filter((f) => f.type === "frames");
    const heldAtOpen = wire.raw.length; // the sync's history and changes may have come as one frames frame
    for (let round = 1; round <= 20 && live().length === 0; round++) {
      raw.send(JSON.stringify({ type: "send", clientMsgId: `burst-${sent + 1}`, body: `burst ${sent + 1}` }));
      raw.send(JSON.stringify({ type: "edit", seq: 1, body: `first, edited ${round}` }));
      raw.send(JSON.stringify({ type: "react", seq: 1, emoji: "👍", on: round % 2 === 1 }));
      raw.send(JSON.stringify({ type: "send", clientMsgId: `burst-${sent + 2}`, body: `burst ${sent + 2}` }));
      sent += 2;
      await until("the round's messages", () => conn.cursor.value === sent);
      await until("the round's edit", () => conn.messageAt(1)?.body === `first, edited ${round}`);
    }
    raw.close();
    const bursts = live();
    assert.ok(bursts.length > 0, "at least one burst came as one frames frame");
    assert.ok(bursts.some((f) => f.frames.length > 1));
    // Everything the bursts carried is held, in seq order, with no gap or duplicate.
    assert.deepEqual(seqs(conn.messages.value), range(1, sent));
    const rounds = Math.floor((sent - 1) / 2);
    assert.equal(conn.messageAt(1).body, `first, edited ${rounds}`);
    assert.equal((conn.messageAt(1).reactions ?? []).some((r) => r.emoji === "👍"), rounds % 2 === 1);
  });

  test("logout closes the inbox socket for good with 4401", async () => {
    const bob = await user("Bob");
    const inbox = bob.client.connectInbox();
    await until("the inbox welcome", () => inbox.status.value === "open");
    let closedWith = null;
    inbox.events.on("closed", (e) => (closedWith = e));
    await bob.client.http.logout();
    // The close frame comes at once, but wrangler dev's workerd may hold the TCP connection
    // open for up to ~20 s afterwards, and a WebSocket reports "close" only when it ends.
    await until("the inbox to be closed", () => closedWith !== null, 30_000);
    const { code } = closedWith;
    assert.equal(code, 4401);
    assert.equal(inbox.status.value, "closed");
    await new Promise((r) => setTimeout(r, 700)); // longer than the reconnect delay
    assert.equal(inbox.status.value, "closed", "no reconnect after a revoked session");
  });
});

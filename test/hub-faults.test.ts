import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { UserHub } from "../src/user-hub/user-hub";
import { dm, post, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

// A member's UserHub evicted, or failing, while messages arrive: the room's
// outbox retries until the hub has everything, and the hub applies each
// change once, so unread counts, summary frames and Web Push catch up and
// nothing is counted, shown or pushed twice.

const receiver = inject("pushReceiverUrl");
const hubOf = (u: TestUser) => env.USER_HUB.get(env.USER_HUB.idFromName(u.user.id));
const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));

async function summaryOf(u: TestUser, channelId: string): Promise<any> {
  return (await api("GET", "/channels", { token: u.token })).body.channels.find((s: any) => s.channel.id === channelId);
}

/** The summary frames of one channel an inbox socket has received so far. */
function summaries(ws: TestSocket, channelId: string): any[] {
  return ws.frames.filter((f) => f.type === "summary" && f.summary.channel.id === channelId).map((f) => f.summary);
}

async function pushSubscribed(u: TestUser) {
  const key = await api("GET", "/push/key", { token: u.token });
  const sub = await subscribe(receiver, key.body.publicKey);
  expect((await api("POST", "/push/subscriptions", { token: u.token, json: { device: "phone", subscription: { endpoint: sub.endpoint, keys: sub.keys } } })).status).toBe(201);
  return async () => (await getNotifications(receiver, sub.clientHash)).map((m) => JSON.parse(m));
}

/** 1 if the object was running and is now evicted, 0 if it was not running. */
async function evict(stub: DurableObjectStub): Promise<number> {
  return evictDurableObject(stub).then(
    () => 1,
    () => 0,
  );
}

/** Makes one user's hub refuse every channel update until the returned function is called. */
function failHubOf(u: TestUser): { refused: () => number; restore: () => void } {
  const original = UserHub.prototype.applyChannelUpdate;
  let refused = 0;
  UserHub.prototype.applyChannelUpdate = async function (this: UserHub, update) {
    if (update.userId === u.user.id) {
      refused++;
      throw new Error("injected: hub down");
    }
    return original.call(this, update);
  };
  return { refused: () => refused, restore: () => (UserHub.prototype.applyChannelUpdate = original) };
}

describe("UserHub evicted while messages arrive", () => {
  it("keeps unread and summary frames exact across repeated evictions of the hub and the room", async () => {
    const [a, b] = await users(2, "hev");
    const channel = await dm(a!, b!);
    const inbox = await openSocket("/inbox/socket", b!.token);
    await inbox.next("welcome");
    const N = 8;
    const evicted = { hub: 0, room: 0 };
    for (let i = 1; i <= N; i++) {
      expect((await post(a!, channel.id, `m${i}`, `m${i}`)).status).toBe(201);
      // The drain that follows the send may still be running: eviction waits for it, or lands mid-way.
      if (i % 2 === 0) evicted.hub += await evict(hubOf(b!));
      if (i % 3 === 0) evicted.room += await evict(roomOf(channel.id));
    }
    expect(evicted.hub + evicted.room, "some evictions really happened").toBeGreaterThan(2);
    await eventually(async () => (await summaryOf(b!, channel.id))?.lastSeq === N, 10_000);
    expect(await summaryOf(b!, channel.id)).toMatchObject({ lastSeq: N, unread: N, readSeq: 0 });
    // The hibernated inbox socket heard every change, in order, and none twice.
    await eventually(async () => summaries(inbox, channel.id).at(-1)?.lastSeq === N);
    const seen = summaries(inbox, channel.id).map((s) => s.lastSeq);
    for (let i = 1; i < seen.length; i++) expect(seen[i], JSON.stringify(seen)).toBeGreaterThan(seen[i - 1]!);
    for (const s of summaries(inbox, channel.id)) expect(s.unread).toBe(s.lastSeq);
    inbox.close();
  });
});

describe("UserHub failing while messages arrive", () => {
  it("catches up unread counts and one push after it recovers, and pushes nothing twice", async () => {
    const [a, b] = await users(2, "hfl");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!, channel.id)) !== undefined);
    const pushes = await pushSubscribed(b!); // b is offline: no inbox socket
    const fault = failHubOf(b!);
    try {
      for (let i = 1; i <= 3; i++) expect((await post(a!, channel.id, `while down ${i}`)).status).toBe(201);
      await eventually(async () => fault.refused() > 0);
      expect((await summaryOf(b!, channel.id)).unread).toBe(0);
      expect(await pushes()).toEqual([]);
    } finally {
      fault.restore();
    }
    // The room retries on its backoff (1 s first); running its alarm would skip the wait, the alarm fires by itself.
    await eventually(async () => (await summaryOf(b!, channel.id))?.lastSeq === 3, 15_000);
    expect((await summaryOf(b!, channel.id)).unread).toBe(3);
    const [push] = await eventually(async () => {
      const got = await pushes();
      return got.length > 0 ? got : undefined;
    }, 10_000);
    expect(push).toMatchObject({ type: "message", channelId: channel.id, seq: 3, senderId: a!.user.id, preview: "while down 3" });

    // The room forgets it delivered (as if it crashed before recording it) and sends everything again.
    await runInDurableObject(roomOf(channel.id), (_i, state) => {
      state.storage.sql.exec("UPDATE members SET delivered_rev = 0, retry_at = 0 WHERE user_id = ?", b!.user.id);
    });
    await runInDurableObject(roomOf(channel.id), async (_i, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(roomOf(channel.id));
    await eventually(async () =>
      runInDurableObject(roomOf(channel.id), (_i, state) => {
        const row = state.storage.sql.exec<{ delivered_rev: number }>("SELECT delivered_rev FROM members WHERE user_id = ?", b!.user.id).one();
        return row.delivered_rev > 0;
      }),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(await pushes()).toHaveLength(1);
    expect(await summaryOf(b!, channel.id)).toMatchObject({ lastSeq: 3, unread: 3 });
  }, 30_000);

  it("never delays or loses the sender's ack while the hub is down", async () => {
    const [a, b] = await users(2, "hfa");
    const channel = await dm(a!, b!);
    const fault = failHubOf(b!);
    try {
      const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
      await ws.next("welcome");
      const started = Date.now();
      for (let i = 1; i <= 5; i++) {
        ws.send({ type: "send", clientMsgId: `k${i}`, body: `k${i}` });
        expect((await ws.next("ack", 2_000)).message.seq).toBe(i);
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      ws.close();
    } finally {
      fault.restore();
    }
    await eventually(async () => (await summaryOf(b!, channel.id))?.unread === 5, 15_000);
  }, 30_000);
});

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { dm, group, post, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { expire, getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually, openSocket } from "./helpers/socket";

// Against web-push-testing (started by test/global-setup.ts on 127.0.0.1): it
// checks each VAPID signature and decrypts each aes128gcm message, as a real push service and browser would.
const receiver = inject("pushReceiverUrl");

async function subscribed(u: TestUser, device = "phone") {
  const key = await api("GET", "/push/key", { token: u.token });
  expect(key.status).toBe(200);
  const sub = await subscribe(receiver, key.body.publicKey);
  const res = await api("POST", "/push/subscriptions", { token: u.token, json: { device, subscription: { endpoint: sub.endpoint, keys: sub.keys } } });
  expect(res.status).toBe(201);
  return sub;
}

async function pushesFor(clientHash: string): Promise<any[]> {
  return (await getNotifications(receiver, clientHash)).map((m) => JSON.parse(m));
}

describe("web push", () => {
  it("serves the VAPID public key as a 65-byte P-256 point in base64url", async () => {
    const [a] = await users(1, "pk");
    const res = await api("GET", "/push/key", { token: a!.token });
    expect(res.body.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
  });

  it("sends an offline member an encrypted notification the push service decrypts", async () => {
    const [a, b] = await users(2, "po");
    const channel = await dm(a!, b!);
    const sub = await subscribed(b!);
    const sent = await post(a!, channel.id, "x".repeat(150));
    const [push] = await eventually(async () => {
      const got = await pushesFor(sub.clientHash);
      return got.length > 0 ? got : undefined;
    });
    expect(push).toEqual({ type: "message", channelId: channel.id, seq: sent.body.message.seq, senderId: a!.user.id, preview: "x".repeat(100) });
  });

  it("pushes no timeline line: a rename and an added member reach an offline member's devices as nothing, the next message at once", async () => {
    const [a, b, c] = await users(3, "pl");
    const channel = await group(a!, [b!], "Quiet");
    const sub = await subscribed(b!);
    expect((await api("PATCH", `/channels/${channel.id}`, { token: a!.token, json: { title: "Loud" } })).status).toBe(200);
    expect((await api("POST", `/channels/${channel.id}/members`, { token: a!.token, json: { handle: c!.handle } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await pushesFor(sub.clientHash)).toEqual([]);
    await post(a!, channel.id, "now something to read");
    const [push] = await eventually(async () => {
      const got = await pushesFor(sub.clientHash);
      return got.length > 0 ? got : undefined;
    });
    expect(push).toMatchObject({ type: "message", channelId: channel.id, preview: "now something to read" });
  });

  it("sends nothing to a member who is online", async () => {
    const [a, b] = await users(2, "on");
    const channel = await dm(a!, b!);
    const sub = await subscribed(b!);
    const inbox = await openSocket("/inbox/socket", b!.token);
    await inbox.next("welcome");
    const pinger = setInterval(() => inbox.send('{"type":"ping"}'), 500);
    try {
      await post(a!, channel.id, "you are here");
      await inbox.next("summary");
      await new Promise((r) => setTimeout(r, 500));
      expect(await pushesFor(sub.clientHash)).toEqual([]);
    } finally {
      clearInterval(pinger);
      inbox.close();
    }
  });

  it("coalesces a burst in one channel into one notification within the window", async () => {
    const [a, b] = await users(2, "co");
    const channel = await dm(a!, b!);
    const sub = await subscribed(b!);
    for (let i = 1; i <= 5; i++) await post(a!, channel.id, `burst ${i}`);
    await eventually(async () => (await pushesFor(sub.clientHash)).length >= 1);
    await new Promise((r) => setTimeout(r, 500));
    const got = await pushesFor(sub.clientHash);
    expect(got).toHaveLength(1);
    // One drain may carry several of the burst; the notification shows the latest it carried.
    expect(got[0].preview).toMatch(/^burst [1-5]$/);
  });

  it("deletes a subscription the push service answers 410", async () => {
    const [a, b] = await users(2, "ex");
    const channel = await dm(a!, b!);
    const sub = await subscribed(b!);
    await expire(receiver, sub.clientHash);
    await post(a!, channel.id, "to an expired subscription");
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(b!.user.id));
    const count = () => runInDurableObject(hub, (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM push_subscriptions").one().n);
    await eventually(async () => (await count()) === 0);
  });

  it("refuses a non-https endpoint other than local ones, and bad keys, with 400", async () => {
    const [a] = await users(1, "bad");
    const keys = { p256dh: "B".repeat(87), auth: "A".repeat(22) };
    for (const endpoint of ["http://push.example.com/x", "ftp://127.0.0.1/x", "not a url"]) {
      const res = await api("POST", "/push/subscriptions", { token: a!.token, json: { device: "d", subscription: { endpoint, keys } } });
      expect(res.status, endpoint).toBe(400);
    }
    const badKeys = await api("POST", "/push/subscriptions", { token: a!.token, json: { device: "d", subscription: { endpoint: "https://push.example.com/x", keys: { p256dh: "short", auth: "x" } } } });
    expect(badKeys.status).toBe(400);
    expect((await api("DELETE", "/push/subscriptions/d", { token: a!.token })).status).toBe(204);
  });
});

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { sha256Hex } from "../src/accounts/encoding";
import { idKey } from "../src/placement/signed-id";
import { MAX_PUSH_SUBSCRIPTIONS } from "../src/protocol";
import { pushTopic } from "../src/push";
import { userHub } from "../src/user-hub/stub";
import { dm, post, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually } from "./helpers/socket";

const receiver = inject("pushReceiverUrl");
/** A real browser key (RFC 8291 Appendix A), so only the endpoint decides. */
const GOOD_KEYS = { p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4", auth: "BTBZMqHH6r4Tts7J_aSIgg" };
/** 0x04 ‖ x=1 ‖ y=1: the right shape, but (1, 1) is not on the P-256 curve. */
const OFF_CURVE = "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE";

function hub(u: TestUser) {
  return userHub(env, u.user.id);
}

function subscriptionRows(u: TestUser) {
  return runInDurableObject(hub(u), (_i, state) =>
    state.storage.sql.exec<{ device: string; endpoint: string; created_at: number; last_used_at: number }>("SELECT device, endpoint, created_at, last_used_at FROM push_subscriptions ORDER BY device").toArray(),
  );
}

/** A subscription row as one stored before the checks existed (or by an older build). */
function storeRow(u: TestUser, device: string, endpoint: string, p256dh: string, lastUsedAt: number) {
  return runInDurableObject(hub(u), async (instance, state) => {
    await instance.listChannels(u.user.id); // the hub's state row
    state.storage.sql.exec("INSERT INTO push_subscriptions (device, endpoint, p256dh, auth, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)", device, endpoint, p256dh, GOOD_KEYS.auth, lastUsedAt, lastUsedAt);
  });
}

function subscribeVia(u: TestUser, device: string, endpoint: string, keys: { p256dh: string; auth: string } = GOOD_KEYS) {
  return api("POST", "/push/subscriptions", { token: u.token, json: { device, subscription: { endpoint, keys } } });
}

describe("push subscriptions", () => {
  it("refuses a p256dh that is not a P-256 point with 400 and stores nothing", async () => {
    const [a] = await users(1, "curve");
    const res = await subscribeVia(a!, "phone", "https://push.example.com/x", { p256dh: OFF_CURVE, auth: GOOD_KEYS.auth });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/not a point on the P-256 curve/);
    const short = await subscribeVia(a!, "phone", "https://push.example.com/x", { p256dh: GOOD_KEYS.p256dh, auth: "A".repeat(22) + "AAAA" });
    expect(short.status).toBe(400);
    expect(await subscriptionRows(a!)).toEqual([]);
  });

  it("refuses an https endpoint on an IP literal or an internal name even with insecure endpoints allowed", async () => {
    const [a] = await users(1, "ssrf");
    for (const endpoint of ["https://169.254.169.254/latest", "https://10.0.0.1:8443/x", "https://[::1]/x", "https://metadata.google.internal/x", "https://push/x"]) {
      expect((await subscribeVia(a!, "phone", endpoint)).status, endpoint).toBe(400);
    }
    expect(await subscriptionRows(a!)).toEqual([]);
  });

  it(`keeps at most ${MAX_PUSH_SUBSCRIPTIONS} per user: a new device replaces the least recently used`, async () => {
    const [a] = await users(1, "lru");
    const now = Date.now();
    // d1 is the least recently used; d0 is older by creation but was used last.
    for (let i = 0; i < MAX_PUSH_SUBSCRIPTIONS; i++) await storeRow(a!, `d${i}`, `https://push.example.com/${i}`, GOOD_KEYS.p256dh, i === 0 ? now : now - 100_000 + i);
    expect((await subscribeVia(a!, "laptop", "https://push.example.com/laptop")).status).toBe(201);
    const devices = (await subscriptionRows(a!)).map((r) => r.device);
    expect(devices).toHaveLength(MAX_PUSH_SUBSCRIPTIONS);
    expect(devices).toContain("laptop");
    expect(devices).toContain("d0");
    expect(devices).not.toContain("d1");
    // Subscribing an existing device again replaces it and drops nothing.
    expect((await subscribeVia(a!, "d5", "https://push.example.com/d5-new")).status).toBe(201);
    const after = await subscriptionRows(a!);
    expect(after).toHaveLength(MAX_PUSH_SUBSCRIPTIONS);
    expect(after.find((r) => r.device === "d5")?.endpoint).toBe("https://push.example.com/d5-new");
  });

  it("counts a delivered push as a use of the subscription", async () => {
    const [a, b] = await users(2, "use");
    const channel = await dm(a!, b!);
    const key = await api("GET", "/push/key", { token: b!.token });
    const sub = await subscribe(receiver, key.body.publicKey);
    expect((await subscribeVia(b!, "phone", sub.endpoint, sub.keys)).status).toBe(201);
    const [before] = await subscriptionRows(b!);
    await new Promise((r) => setTimeout(r, 5));
    await post(a!, channel.id, "hello");
    await eventually(async () => (await getNotifications(receiver, sub.clientHash)).length > 0);
    await eventually(async () => (await subscriptionRows(b!))[0]!.last_used_at > before!.last_used_at);
  });

  it("deletes a subscription whose keys cannot encrypt instead of retrying it", async () => {
    const [a, b] = await users(2, "enc");
    const channel = await dm(a!, b!);
    const key = await api("GET", "/push/key", { token: b!.token });
    const sub = await subscribe(receiver, key.body.publicKey);
    await storeRow(b!, "broken", sub.endpoint, OFF_CURVE, Date.now());
    await post(a!, channel.id, "to a subscription that cannot be encrypted for");
    await eventually(async () => (await subscriptionRows(b!)).length === 0);
    const queued = await runInDurableObject(hub(b!), (_i, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM push_queue").one().n);
    expect(queued).toBe(0);
    expect(await getNotifications(receiver, sub.clientHash)).toEqual([]);
  });

  it("sends a Topic that is an HMAC per recipient and channel, not a hash of the channel id", async () => {
    const [a, b] = await users(2, "topic");
    const channel = await dm(a!, b!);
    // An endpoint nobody listens on: the push stays queued for retry, topic and all.
    await storeRow(a!, "phone", "http://127.0.0.1:1/push", GOOD_KEYS.p256dh, Date.now());
    await storeRow(b!, "phone", "http://127.0.0.1:1/push", GOOD_KEYS.p256dh, Date.now());
    await post(a!, channel.id, "one");
    await post(b!, channel.id, "two");
    const topicOf = (u: TestUser) =>
      eventually(() => runInDurableObject(hub(u), (_i, state) => state.storage.sql.exec<{ topic: string }>("SELECT topic FROM push_queue WHERE attempts > 0").toArray()[0]?.topic));
    const [ta, tb] = [await topicOf(a!), await topicOf(b!)];
    const k = await idKey(env);
    expect(ta).toBe(await pushTopic(k, a!.user.id, channel.id));
    expect(tb).toBe(await pushTopic(k, b!.user.id, channel.id));
    expect(ta).not.toBe(tb);
    expect(ta).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(ta).not.toBe((await sha256Hex(channel.id)).slice(0, 32));
  });
});

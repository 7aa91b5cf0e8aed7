import { env, evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config";
import { dm, group, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { openSocket } from "./helpers/socket";

// The defaults of wrangler.toml, which the test runtime reads too.
const config = readConfig({});

async function pair(prefix: string) {
  const [a, b] = await users(2, prefix);
  const channel = await dm(a!, b!);
  const path = `/channels/${channel.id}/socket`;
  const sa = await openSocket(path, a!.token, "a1");
  const sb = await openSocket(path, b!.token, "b1");
  await sa.next("welcome");
  await sb.next("welcome");
  return { a: a!, b: b!, channel, sa, sb };
}

/** The socket still answers after a refusal: refused frames never end it. */
async function stillOpen(ws: Awaited<ReturnType<typeof openSocket>>) {
  ws.send({ type: "ping" });
  await ws.next("pong");
}

describe("frame budgets per member per channel", () => {
  it("drops a typing burst to one broadcast, silently", async () => {
    const { sa, sb } = await pair("typ");
    for (let i = 0; i < 50; i++) sa.send({ type: "typing" });
    await sb.next("typing");
    await sb.none("typing", 500);
    await sa.none("error", 0);
    await stillOpen(sa);
    sa.close();
    sb.close();
  });

  it("refuses edits, deletes and reactions past their shared budget with rate_limited and retryAfterMs, and keeps the socket", async () => {
    const { a, channel, sa, sb } = await pair("chg");
    const sent = await post(a, channel.id, "to be changed a lot");
    const seq = sent.body.message.seq;
    const kinds = [{ type: "react", seq, emoji: "👍", on: true }, { type: "edit", seq, body: "edited" }, { type: "react", seq, emoji: "👍", on: false }];
    // A burst well past the budget: the bucket refills while the burst is handled.
    for (let i = 0; i < 3 * config.changeBudget.limit; i++) sa.send(kinds[i % kinds.length]);
    sa.send({ type: "delete", seq });
    const refused = await sa.next("error", 10_000);
    expect(refused).toMatchObject({ code: "rate_limited", seq });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(config.changeBudget.windowMs);
    await stillOpen(sa);
    // The same budget covers HTTP.
    const http = await api("DELETE", `/channels/${channel.id}/messages/${seq}`, { token: a.token });
    expect(http.status).toBe(429);
    expect(Number(http.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    sa.close();
    sb.close();
  });

  it("refuses sync pages past their burst, and the other member is not held back", async () => {
    const { b, channel, sa, sb } = await pair("syn");
    const { burst, limit, windowMs } = config.syncBudget;
    // Paced under the socket's frame budget (100 a second), so the refusals are the sync budget's.
    const started = Date.now();
    for (let i = 0; i < 3 * burst!; i++) {
      sa.send({ type: "sync", after: 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await sa.next("error", 10_000)).toMatchObject({ code: "rate_limited" });
    await stillOpen(sa);
    // The burst, and what refilled while the rest arrived (a token every 33 ms), not the whole 10 s budget at once.
    const refilled = Math.ceil(((Date.now() - started) * limit) / windowMs);
    expect(sa.frames.filter((f) => f.type === "history").length).toBeLessThanOrEqual(burst! + refilled);
    sb.send({ type: "sync", after: 0 });
    await sb.next("history");
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: b.token })).status).toBe(200);
    sa.close();
    sb.close();
  });

  it("refuses read receipts past their budget", async () => {
    const { sa, sb } = await pair("rd");
    for (let i = 0; i < 2 * config.readBudget.limit; i++) sa.send({ type: "read", seq: 0 });
    expect(await sa.next("error", 10_000)).toMatchObject({ code: "rate_limited" });
    await stillOpen(sa);
    sa.close();
    sb.close();
  });

  it("answers a socket's frames past its own budget in the Worker, before the room, and keeps the socket", async () => {
    const { sa, sb } = await pair("sock");
    // Three bursts at once: one passes, the rest is refused, and the socket stays open (it is no flood yet).
    const burst = 3 * config.socketFrameBudget.burst!;
    for (let i = 0; i < burst; i++) sa.send({ type: "read", seq: 0 });
    sa.send({ type: "ping" });
    sa.send({ type: "send", clientMsgId: "past-the-socket-budget", body: "hello" });
    const refused = await sa.next("error", 10_000);
    expect(refused).toMatchObject({ code: "rate_limited" });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    // The last send is refused by the socket's budget, with its clientMsgId, and never stored.
    await expect.poll(() => sa.frames.some((f) => f.type === "error" && f.clientMsgId === "past-the-socket-budget"), { timeout: 10_000 }).toBe(true);
    // The socket's refusals are told once per wait, not once per refused frame (that would double the flood);
    // the reads that passed it meet the room's read budget, which answers each (it is small).
    const refusedBySocket = burst - config.socketFrameBudget.burst!;
    const told = sa.frames.filter((f) => f.type === "error" && f.code === "rate_limited" && /on this socket/.test(f.message) && f.clientMsgId === undefined).length + 1;
    expect(told).toBeLessThan(refusedBySocket / 4);
    // The heartbeat sent in the middle of the flood was still answered: over budget, the client does not look dead.
    expect(await sa.next("pong")).toEqual({ type: "pong" });
    await sb.none("message", 300);
    sa.close();
    sb.close();
  }, 30_000);

  it("closes a socket that keeps flooding after it was told, with 4429, and the channel's others hear nothing of it", async () => {
    const { a, channel, sa, sb } = await pair("fld");
    const closed = sa.closed;
    // Past four bursts refused: a few hundred frames, not thousands (the suite shares one runtime).
    for (let i = 0; i < 8 * config.socketFrameBudget.burst!; i++) sa.send({ type: "read", seq: 0 });
    expect(await closed).toMatchObject({ code: 4429 });
    // Its user sits out a while (once the room has had the close): a reconnect loop cannot bring a fresh budget each time.
    const reconnect = async () => {
      try {
        (await openSocket(`/channels/${channel.id}/socket`, a.token, "a2")).close();
        return "accepted";
      } catch (err) {
        return String(err);
      }
    };
    await expect.poll(reconnect, { timeout: 2_000, interval: 100 }).toMatch(/429/);
    // The other member's socket is untouched.
    sb.send({ type: "ping" });
    await sb.next("pong");
    await sb.none("error", 200);
    sb.close();
  }, 30_000);

  it("refuses a flooder's reconnect in the Worker too, so it holds even after the room forgot", async () => {
    const { a, channel, sa, sb } = await pair("fldw");
    const closed = sa.closed;
    for (let i = 0; i < 8 * config.socketFrameBudget.burst!; i++) sa.send({ type: "read", seq: 0 });
    expect(await closed).toMatchObject({ code: 4429 });
    // A restart makes the room forget who it benched; the Worker that closed the socket still knows.
    await evictDurableObject(env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channel.id)));
    await expect(openSocket(`/channels/${channel.id}/socket`, a.token, "again")).rejects.toThrow(/429/);
    sb.close();
  }, 30_000);

  it("never closes a socket for its refused sends: an outbox with many queued messages is no flood", async () => {
    const { sa, sb } = await pair("obx");
    let closed = false;
    void sa.closed.then(() => (closed = true));
    const queued = 6 * config.socketFrameBudget.burst!;
    for (let i = 0; i < queued; i++) sa.send({ type: "send", clientMsgId: `queued-${i}`, body: `queued ${i}` });
    await expect.poll(() => sa.frames.filter((f) => f.type === "error" && f.code === "rate_limited").length, { timeout: 10_000 }).toBeGreaterThan(4 * config.socketFrameBudget.burst!);
    await stillOpen(sa);
    expect(closed).toBe(false);
    sa.close();
    sb.close();
  }, 30_000);

  it("refuses new sockets of one user past their connect budget with 429, and other users connect", async () => {
    const [a, b] = await users(2, "cnb");
    const channel = await dm(a!, b!);
    const path = `/channels/${channel.id}/socket`;
    for (let i = 0; i < config.socketConnectBudget.burst!; i++) {
      const ws = await openSocket(path, a!.token, `c${i}`);
      await ws.next("welcome");
      ws.close();
    }
    await expect(openSocket(path, a!.token, "one-too-many")).rejects.toThrow(/429/);
    const other = await openSocket(path, b!.token, "b1");
    await other.next("welcome");
    other.close();
  }, 30_000);

  it("answers searches past their budget with 429 and Retry-After", async () => {
    const [a, b] = await users(2, "srch");
    const channel = await dm(a!, b!);
    const burst = await Promise.all(Array.from({ length: 2 * config.searchBudget.limit }, () => api("GET", `/channels/${channel.id}/search?q=hello`, { token: a!.token })));
    expect(burst.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(config.searchBudget.limit);
    const refused = burst.find((r) => r.status === 429)!;
    expect(refused).toBeDefined();
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  });
});

describe("HTTP budgets per user", () => {
  it("answers PATCH /me past its budget with 429 and changes nothing", async () => {
    const [a] = await users(1, "prof");
    for (let i = 0; i < config.profileBudget.limit; i++) {
      expect((await api("PATCH", "/me", { token: a!.token, json: { displayName: `Name ${i}` } })).status).toBe(200);
    }
    const refused = await api("PATCH", "/me", { token: a!.token, json: { displayName: "One too many" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect((await api("GET", "/me", { token: a!.token })).body.user.displayName).toBe(`Name ${config.profileBudget.limit - 1}`);
  });

  it("answers group creation past its budget with 429", async () => {
    const [a, b] = await users(2, "grp");
    const burst = await Promise.all(
      Array.from({ length: config.channelCreateBudget.limit + 10 }, (_, i) => api("POST", "/channels", { token: a!.token, json: { title: `g${i}`, members: [b!.handle] } })),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(config.channelCreateBudget.limit + 1);
    expect(statuses).toContain(429);
    // Another user's budget is their own.
    await group(b!, [a!], "b's own");
  }, 60_000);

  it("answers blocks and unblocks past their shared budget with 429 and Retry-After, and blocks nobody", async () => {
    const [a, b, c] = await users(3, "blkb");
    for (let i = 0; i < config.blockBudget.limit; i++) {
      const res = i % 2 === 0 ? await api("POST", "/blocks", { token: a!.token, json: { handle: b!.handle } }) : await api("DELETE", `/blocks/${b!.handle}`, { token: a!.token });
      expect(res.status).toBeLessThan(300);
    }
    const refused = await api("POST", "/blocks", { token: a!.token, json: { handle: c!.handle } });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect((await api("DELETE", `/blocks/${b!.handle}`, { token: a!.token })).status).toBe(429);
    expect((await api("GET", "/blocks", { token: a!.token })).body.users.map((u: any) => u.id)).toEqual(config.blockBudget.limit % 2 === 0 ? [] : [b!.user.id]);
    // Another user's budget is their own.
    expect((await api("POST", "/blocks", { token: b!.token, json: { handle: c!.handle } })).status).toBe(201);
  });

  it("answers push subscriptions past their budget with 429", async () => {
    const [a] = await users(1, "psub");
    const keys = { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth: "tBHItJI5svbpez7KI4CCXg" };
    const subscribe = (i: number) => api("POST", "/push/subscriptions", { token: a!.token, json: { device: `d${i}`, subscription: { endpoint: `https://push.example.com/s/${i}`, keys } } });
    for (let i = 0; i < config.pushSubscribeBudget.limit; i++) expect((await subscribe(i)).status).toBe(201);
    expect((await subscribe(99)).status).toBe(429);
  });
});

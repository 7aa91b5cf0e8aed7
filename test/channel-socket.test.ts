import { env, evictDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dm, group, post, users } from "./helpers/channels";
import { api, BASE } from "./helpers/http";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

const path = (id: string) => `/channels/${id}/socket`;

async function joined(id: string, token: string, device = "d1"): Promise<TestSocket> {
  const ws = await openSocket(path(id), token, device);
  await ws.next("welcome");
  return ws;
}

describe("channel socket: connect", () => {
  it("welcomes a member with the channel, lastSeq and members' presence", async () => {
    const [a, b] = await users(2, "wel");
    const channel = await dm(a!, b!);
    await post(a!, channel.id, "one");
    const ws = await openSocket(path(channel.id), b!.token);
    const welcome = await ws.next();
    expect(welcome.type).toBe("welcome");
    expect(welcome.channel.id).toBe(channel.id);
    expect(welcome.lastSeq).toBe(1);
    expect(welcome.presence.map((p: any) => p.userId).sort()).toEqual([a!.user.id, b!.user.id].sort());
    for (const p of welcome.presence) expect(p).toEqual({ userId: expect.any(String), state: "offline", lastSeenAt: 0 });
    ws.close();
  });

  it("refuses a bad token with 401 and a non-member with 404 before any socket exists", async () => {
    const [a, b, c] = await users(3, "ref");
    const channel = await dm(a!, b!);
    const noToken = await SELF.fetch(`${BASE}/api${path(channel.id)}?device=x`, { headers: { Upgrade: "websocket" } });
    expect(noToken.status).toBe(401);
    expect(noToken.webSocket).toBeNull();
    await expect(openSocket(path(channel.id), "F".repeat(43))).rejects.toThrow(/401/);
    await expect(openSocket(path(channel.id), c!.token)).rejects.toThrow(/404/);
  });

  it("requires a device of 1 to 64 characters", async () => {
    const [a, b] = await users(2, "dev");
    const channel = await dm(a!, b!);
    await expect(openSocket(path(channel.id), a!.token, "")).rejects.toThrow(/400/);
    await expect(openSocket(path(channel.id), a!.token, "x".repeat(65))).rejects.toThrow(/400/);
  });

  it("answers the exact ping bytes with pong", async () => {
    const [a, b] = await users(2, "png");
    const ws = await joined((await dm(a!, b!)).id, a!.token);
    ws.send('{"type":"ping"}');
    expect(await ws.next()).toEqual({ type: "pong" });
    ws.send({ type: "ping" });
    expect(await ws.next()).toEqual({ type: "pong" });
    ws.close();
  });
});

describe("channel socket: send", () => {
  it("acks the sender and delivers to every other socket, including the sender's other device", async () => {
    const [a, b] = await users(2, "snd");
    const channel = await dm(a!, b!);
    const a1 = await joined(channel.id, a!.token, "phone");
    const a2 = await joined(channel.id, a!.token, "laptop");
    const b1 = await joined(channel.id, b!.token);
    a1.send({ type: "send", clientMsgId: "m1", body: "hello" });
    const ack = await a1.next("ack");
    expect(ack).toMatchObject({ clientMsgId: "m1", message: { seq: 1, body: "hello", senderId: a!.user.id } });
    expect((await b1.next("message")).message).toEqual(ack.message);
    expect((await a2.next("message")).message).toEqual(ack.message);
    await a1.none("message");
    const stored = await api("GET", `/channels/${channel.id}/messages`, { token: b!.token });
    expect(stored.body.messages).toEqual([ack.message]);
    for (const s of [a1, a2, b1]) s.close();
  });

  it("a repeated clientMsgId over the socket answers the first message and stores nothing", async () => {
    const [a, b] = await users(2, "idm");
    const channel = await dm(a!, b!);
    const ws = await joined(channel.id, a!.token);
    const other = await joined(channel.id, b!.token);
    ws.send({ type: "send", clientMsgId: "same", body: "first" });
    const first = await ws.next("ack");
    ws.send({ type: "send", clientMsgId: "same", body: "second" });
    const again = await ws.next("ack");
    expect(again.message).toEqual(first.message);
    await other.next("message");
    await other.none("message");
    const http = await post(a!, channel.id, "third", "same");
    expect(http.status).toBe(200);
    expect(http.body.message).toEqual(first.message);
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: a!.token })).body.messages).toHaveLength(1);
    ws.close();
    other.close();
  });

  it("orders concurrent senders with gap-free seq and ids that sort in creation order", async () => {
    const people = await users(5, "conc");
    const channel = await group(people[0]!, people.slice(1));
    const sockets = await Promise.all(people.map((p) => joined(channel.id, p.token)));
    const perSender = 6;
    sockets.forEach((ws, i) => {
      for (let k = 0; k < perSender; k++) ws.send({ type: "send", clientMsgId: `p${i}-${k}`, body: `from ${i} #${k}` });
    });
    const acks = (await Promise.all(sockets.map(async (ws) => Promise.all(Array.from({ length: perSender }, () => ws.next("ack")))))).flat();
    const seqs = acks.map((a) => a.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const page = await api("GET", `/channels/${channel.id}/messages?limit=200`, { token: people[0]!.token });
    const ids = page.body.messages.map((m: any) => BigInt(m.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i] > ids[i - 1]).toBe(true);
    const times = page.body.messages.map((m: any) => m.createdAt);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
    // each sender's own messages keep the order they were sent in
    for (let i = 0; i < 5; i++) {
      const mine = page.body.messages.filter((m: any) => m.clientMsgId.startsWith(`p${i}-`)).map((m: any) => m.clientMsgId);
      expect(mine).toEqual(Array.from({ length: perSender }, (_, k) => `p${i}-${k}`));
    }
    sockets.forEach((s) => s.close());
  });

  it("delivers every message to all 100 members of a group", async () => {
    const people = await users(100, "hund");
    const channel = await group(people[0]!, people.slice(1), "Hundred");
    const sockets: TestSocket[] = [];
    for (const p of people) sockets.push(await joined(channel.id, p.token));
    for (let i = 0; i < 3; i++) sockets[i * 10]!.send({ type: "send", clientMsgId: `g${i}`, body: `group message ${i}` });
    for (let i = 0; i < 3; i++) await sockets[i * 10]!.next("ack");
    const received = await Promise.all(
      sockets.map(async (ws, idx) => {
        const expected = [0, 1, 2].filter((i) => i * 10 !== idx).length;
        const got = [];
        for (let k = 0; k < expected; k++) got.push((await ws.next("message", 10_000)).message.seq);
        return got;
      }),
    );
    expect(received.flat()).toHaveLength(3 * 99);
    for (const seqs of received) expect([...seqs].sort()).toEqual(seqs);
    sockets.forEach((s) => s.close());
  }, 120_000);
});

describe("channel socket: bad input", () => {
  it.each([
    ["a frame that is not JSON", "{nope", "bad_request"],
    ["an unknown frame type", JSON.stringify({ type: "launch" }), "bad_request"],
    ["a frame that is an array", "[1,2,3]", "bad_request"],
    ["a send with an empty body", JSON.stringify({ type: "send", clientMsgId: "e", body: "  " }), "bad_request"],
    ["a send over 4000 characters", JSON.stringify({ type: "send", clientMsgId: "l", body: "x".repeat(4001) }), "bad_request"],
    ["a send with a bad clientMsgId", JSON.stringify({ type: "send", clientMsgId: 12, body: "ok" }), "bad_request"],
    ["a sync with a negative cursor", JSON.stringify({ type: "sync", after: -1 }), "bad_request"],
    ["a read with a fractional seq", JSON.stringify({ type: "read", seq: 1.5 }), "bad_request"],
    ["a frame over 64 KiB", JSON.stringify({ type: "send", clientMsgId: "big", body: "b".repeat(70_000) }), "payload_too_large"],
  ])("answers %s with an error frame, stores nothing and keeps the socket open", async (_name, frame, code) => {
    const [a, b] = await users(2, "bad");
    const channel = await dm(a!, b!);
    const ws = await joined(channel.id, a!.token);
    ws.send(frame);
    const err = await ws.next("error");
    expect(err.code).toBe(code);
    expect(err.message).toEqual(expect.any(String));
    ws.send({ type: "send", clientMsgId: "after", body: "still works" });
    expect((await ws.next("ack")).message.seq).toBe(1);
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: a!.token })).body.messages).toHaveLength(1);
    ws.close();
  });

  it("refuses a binary frame with bad_request", async () => {
    const [a, b] = await users(2, "bin");
    const ws = await joined((await dm(a!, b!)).id, a!.token);
    ws.ws.send(new Uint8Array([1, 2, 3]));
    expect((await ws.next("error")).code).toBe("bad_request");
    ws.close();
  });

  it("names the clientMsgId of a refused send", async () => {
    const [a, b] = await users(2, "cid");
    const ws = await joined((await dm(a!, b!)).id, a!.token);
    ws.send({ type: "send", clientMsgId: "mine", body: "" });
    expect(await ws.next("error")).toMatchObject({ code: "bad_request", clientMsgId: "mine" });
    ws.close();
  });
});

describe("channel socket: sync, typing, read, members", () => {
  it("sync after a reconnect delivers exactly the gap, paged", async () => {
    const [a, b] = await users(2, "syn");
    const channel = await dm(a!, b!);
    const first = await joined(channel.id, b!.token);
    await post(a!, channel.id, "m1");
    const held = (await first.next("message")).message.seq;
    first.close();
    for (let i = 2; i <= 8; i++) await post(a!, channel.id, `m${i}`);
    const again = await joined(channel.id, b!.token);
    again.send({ type: "sync", after: held, limit: 4 });
    const page1 = await again.next("history");
    expect(page1.messages.map((m: any) => m.seq)).toEqual([2, 3, 4, 5]);
    expect(page1.hasMore).toBe(true);
    again.send({ type: "sync", after: 5 });
    const page2 = await again.next("history");
    expect(page2.messages.map((m: any) => m.seq)).toEqual([6, 7, 8]);
    expect(page2.hasMore).toBe(false);
    again.close();
  });

  it("relays typing to other members but not back to the typist", async () => {
    const [a, b] = await users(2, "typ");
    const channel = await dm(a!, b!);
    const wa = await joined(channel.id, a!.token);
    const wb = await joined(channel.id, b!.token);
    wa.send({ type: "typing" });
    expect(await wb.next("typing")).toEqual({ type: "typing", userId: a!.user.id });
    await wa.none("typing");
    wa.close();
    wb.close();
  });

  it("moves the read marker forward only, clamped to lastSeq, and sends receipts to others", async () => {
    const [a, b] = await users(2, "rd");
    const channel = await dm(a!, b!);
    for (let i = 0; i < 3; i++) await post(a!, channel.id, `m${i}`);
    const wa = await joined(channel.id, a!.token);
    const wb = await joined(channel.id, b!.token);
    wb.send({ type: "read", seq: 2 });
    expect(await wa.next("receipt")).toEqual({ type: "receipt", userId: b!.user.id, seq: 2 });
    wb.send({ type: "read", seq: 1 });
    await wa.none("receipt");
    const clamped = await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 99 } });
    expect(clamped.status).toBe(200);
    expect(clamped.body.summary).toMatchObject({ lastSeq: 3, readSeq: 3, unread: 0 });
    expect(await wa.next("receipt")).toEqual({ type: "receipt", userId: b!.user.id, seq: 3 });
    const back = await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 1 } });
    expect(back.body.summary.readSeq).toBe(3);
    wa.close();
    wb.close();
  });

  it("tells members who joined and left, and closes a removed member's sockets with 4403", async () => {
    const [a, b, c] = await users(3, "mem");
    const channel = await group(a!, [b!]);
    const wa = await joined(channel.id, a!.token);
    await api("POST", `/channels/${channel.id}/members`, { token: a!.token, json: { handle: c!.handle } });
    expect(await wa.next("member")).toMatchObject({ event: "joined", user: { id: c!.user.id } });
    const wc = await joined(channel.id, c!.token);
    await api("DELETE", `/channels/${channel.id}/members/${c!.handle}`, { token: a!.token });
    expect((await wc.closed).code).toBe(4403);
    expect(await wa.next("member")).toMatchObject({ event: "left", user: { id: c!.user.id, handle: c!.handle } });
    wa.close();
  });
});

describe("channel socket: restarts", () => {
  it("keeps messages, seq and ids across an eviction, with sockets still connected after hibernation", async () => {
    const [a, b] = await users(2, "evi");
    const channel = await dm(a!, b!);
    const wa = await joined(channel.id, a!.token);
    const wb = await joined(channel.id, b!.token);
    wa.send({ type: "send", clientMsgId: "before", body: "before" });
    const before = (await wa.next("ack")).message;
    await wb.next("message");
    const stub = env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channel.id));
    await evictDurableObject(stub);
    // the hibernated sockets still work: pings answered, sends acked and delivered
    wa.send('{"type":"ping"}');
    expect(await wa.next("pong")).toEqual({ type: "pong" });
    wa.send({ type: "send", clientMsgId: "after", body: "after" });
    const after = (await wa.next("ack")).message;
    expect(after.seq).toBe(before.seq + 1);
    expect(BigInt(after.id) > BigInt(before.id)).toBe(true);
    expect((await wb.next("message")).message).toEqual(after);
    wa.send({ type: "send", clientMsgId: "before", body: "retry" });
    expect((await wa.next("ack")).message).toEqual(before);
    const stored = await api("GET", `/channels/${channel.id}/messages`, { token: b!.token });
    expect(stored.body.messages.map((m: any) => m.clientMsgId)).toEqual(["before", "after"]);
    wa.close();
    wb.close();
  });

  it("closes sockets of a logged-out session with 4401", async () => {
    const [a, b] = await users(2, "lgo");
    const channel = await dm(a!, b!);
    const ws = await joined(channel.id, a!.token);
    const inbox = await openSocket("/inbox/socket", a!.token);
    await inbox.next("welcome");
    await eventually(async () => (await api("GET", "/channels", { token: a!.token })).body.channels.length === 1);
    expect((await api("POST", "/auth/logout", { token: a!.token })).status).toBe(204);
    expect((await ws.closed).code).toBe(4401);
    expect((await inbox.closed).code).toBe(4401);
  });
});

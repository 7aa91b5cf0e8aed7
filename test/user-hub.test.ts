import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { UserHub } from "../src/user-hub/user-hub";
import { dm, group, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

async function inbox(token: string, device = "d1"): Promise<{ ws: TestSocket; welcome: any }> {
  const ws = await openSocket("/inbox/socket", token, device);
  return { ws, welcome: await ws.next("welcome") };
}

async function summaryOf(token: string, channelId: string): Promise<any> {
  const res = await api("GET", "/channels", { token });
  return res.body.channels.find((s: any) => s.channel.id === channelId);
}

/** A device that opened the channel and synced all of it: its cursor is at the last seq. */
async function syncedDevice(token: string, channelId: string, device: string): Promise<TestSocket> {
  const ws = await openSocket(`/channels/${channelId}/socket`, token, device);
  await ws.next("welcome");
  ws.send({ type: "sync", after: 0 });
  await ws.next("history");
  return ws;
}

/** Waits for the next summary frame of a channel that satisfies `pred`. */
async function summaryFrame(ws: TestSocket, channelId: string, pred: (s: any) => boolean): Promise<any> {
  for (;;) {
    const f = await ws.next("summary");
    if (f.summary.channel.id === channelId && pred(f.summary)) return f.summary;
  }
}

describe("inbox: summaries and unread", () => {
  it("welcomes with every channel's summary, most recent activity first", async () => {
    const [a, b, c] = await users(3, "iw");
    const first = await dm(a!, b!);
    const second = await dm(a!, c!);
    await post(b!, first.id, "older");
    await post(c!, second.id, "newer");
    await eventually(async () => (await summaryOf(a!.token, second.id))?.unread === 1);
    const { ws, welcome } = await inbox(a!.token);
    expect(welcome.user.id).toBe(a!.user.id);
    expect(welcome.channels.map((s: any) => s.channel.id)).toEqual([second.id, first.id]);
    expect(welcome.channels[0]).toMatchObject({ lastSeq: 1, readSeq: 0, unread: 1, lastMessage: { body: "newer" } });
    const listed = await api("GET", "/channels", { token: a!.token });
    expect(listed.body.channels.map((s: any) => s.channel.id)).toEqual([second.id, first.id]);
    ws.close();
  });

  it("counts unread across many messages, never one's own, and shows it on both devices", async () => {
    const [a, b] = await users(2, "un");
    const channel = await dm(a!, b!);
    const phone = await inbox(b!.token, "phone");
    const laptop = await inbox(b!.token, "laptop");
    for (let i = 0; i < 12; i++) await post(a!, channel.id, `from a ${i}`);
    await post(b!, channel.id, "from b");
    for (const d of [phone, laptop]) {
      const s = await summaryFrame(d.ws, channel.id, (s) => s.lastSeq === 13);
      expect(s).toMatchObject({ lastSeq: 13, readSeq: 0, unread: 12, lastMessage: { body: "from b" } });
    }
    // a is away (no inbox open): their summary follows within 2 s (docs/protocol.md, inbox stream).
    expect(await eventually(async () => (await summaryOf(a!.token, channel.id)).unread || undefined)).toBe(1);
    phone.ws.close();
    laptop.ws.close();
  });

  it("syncs a read marker to every device at once, and never moves it back", async () => {
    const [a, b] = await users(2, "rs");
    const channel = await dm(a!, b!);
    for (let i = 0; i < 5; i++) await post(a!, channel.id, `m${i}`);
    await eventually(async () => (await summaryOf(b!.token, channel.id))?.unread === 5);
    const phone = await inbox(b!.token, "phone");
    const laptop = await inbox(b!.token, "laptop");
    const chan = await openSocket(`/channels/${channel.id}/socket`, b!.token, "phone");
    await chan.next("welcome");
    chan.send({ type: "read", seq: 3 });
    for (const d of [phone, laptop]) {
      expect(await summaryFrame(d.ws, channel.id, (s) => s.readSeq === 3)).toMatchObject({ readSeq: 3, unread: 2 });
    }
    const res = await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 2 } });
    expect(res.body.summary).toMatchObject({ readSeq: 3, unread: 2 });
    const all = await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 5 } });
    expect(all.body.summary).toMatchObject({ readSeq: 5, unread: 0 });
    expect((await summaryOf(b!.token, channel.id))).toMatchObject({ readSeq: 5, unread: 0 });
    for (const d of [phone, laptop]) await summaryFrame(d.ws, channel.id, (s) => s.readSeq === 5 && s.unread === 0);
    for (const s of [phone.ws, laptop.ws, chan]) s.close();
  });

  it("tells a user's devices when they join and leave a channel", async () => {
    const [a, b] = await users(2, "ch");
    const { ws } = await inbox(b!.token);
    const channel = await group(a!, [b!], "Added");
    expect(await ws.next("channel")).toMatchObject({ event: "added", channel: { id: channel.id, title: "Added" } });
    await api("DELETE", `/channels/${channel.id}/members/${b!.handle}`, { token: b!.token });
    expect(await ws.next("channel")).toMatchObject({ event: "removed", channel: { id: channel.id } });
    expect(await summaryOf(b!.token, channel.id)).toBeUndefined();
    ws.close();
  });

  it("shows a member's new display name in the channel and in summaries after PATCH /me", async () => {
    const [a, b] = await users(2, "nm");
    const channel = await dm(a!, b!);
    await api("PATCH", "/me", { token: a!.token, json: { displayName: "Renamed Alice" } });
    const seen = await api("GET", `/channels/${channel.id}`, { token: b!.token });
    expect(seen.body.channel.members.find((m: any) => m.id === a!.user.id).displayName).toBe("Renamed Alice");
    await eventually(async () => (await summaryOf(b!.token, channel.id))?.channel.members.some((m: any) => m.displayName === "Renamed Alice"));
  });

  it("keeps per-device cursors, so a device can ask what it missed", async () => {
    const [a, b] = await users(2, "cur");
    const channel = await dm(a!, b!);
    for (let i = 0; i < 4; i++) await post(a!, channel.id, `m${i}`);
    const phone = await syncedDevice(b!.token, channel.id, "phone");
    // The hub hears of messages and cursors through the room's outbox, after the
    // ack: wait until it knows seq 4 (an empty list before that proves nothing).
    await eventually(async () => {
      const res = await api("GET", "/inbox/missed?device=laptop", { token: b!.token });
      return res.body.channels[0]?.lastSeq === 4;
    });
    await eventually(async () => {
      const res = await api("GET", "/inbox/missed?device=phone", { token: b!.token });
      return res.body.channels.length === 0;
    });
    const laptop = await api("GET", "/inbox/missed?device=laptop", { token: b!.token });
    expect(laptop.body.channels).toEqual([{ channelId: channel.id, cursor: 0, lastSeq: 4 }]);
    await post(a!, channel.id, "one more");
    // The phone reads the channel live, so the hub hears of the new message when it leaves.
    phone.close();
    await eventually(async () => {
      const res = await api("GET", "/inbox/missed?device=phone", { token: b!.token });
      return res.body.channels[0]?.cursor === 4 && res.body.channels[0]?.lastSeq === 5;
    });
  });
});

describe("outbox: reliable fan-out to user hubs", () => {
  it("retries a failed UserHub delivery without doubling anything, and never delays the ack", async () => {
    const [a, b] = await users(2, "ob");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!.token, channel.id)) !== undefined);
    // Fault injection: B's hub refuses every update until restored (other users' hubs work).
    const original = UserHub.prototype.applyChannelUpdate;
    let refused = 0;
    UserHub.prototype.applyChannelUpdate = async function (this: UserHub, update) {
      if (update.userId === b!.user.id) {
        refused++;
        throw new Error("hub down");
      }
      return original.call(this, update);
    };
    const sender = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await sender.next("welcome");
    for (let i = 0; i < 3; i++) {
      sender.send({ type: "send", clientMsgId: `o${i}`, body: `while down ${i}` });
      await sender.next("ack");
    }
    await eventually(async () => refused > 0);
    expect((await summaryOf(b!.token, channel.id)).unread).toBe(0);
    UserHub.prototype.applyChannelUpdate = original;
    const s = await eventually(async () => {
      const s = await summaryOf(b!.token, channel.id);
      return s?.lastSeq === 3 ? s : undefined;
    }, 10_000);
    expect(s.unread).toBe(3);
    // Replaying an old update changes nothing.
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(b!.user.id));
    await runInDurableObject(hub, async (instance: UserHub) => {
      await instance.applyChannelUpdate({ userId: b!.user.id, channelId: channel.id, rev: 1, membership: "active", summary: { ...s, unread: 99, lastSeq: 1 }, messages: [], cursors: [] });
    });
    expect((await summaryOf(b!.token, channel.id)).unread).toBe(3);
    sender.close();
  });
});

describe("hub as a cache the rooms rebuild", () => {
  it("gets the whole channel again when it has lost its copy (updates otherwise leave the member list out)", async () => {
    const [a, b] = await users(2, "lost");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!.token, channel.id)) !== undefined);
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(b!.user.id));
    await runInDurableObject(hub, (_i, state) => state.storage.sql.exec("DELETE FROM channels"));
    expect(await summaryOf(b!.token, channel.id)).toBeUndefined();
    await post(a!, channel.id, "are you there?");
    const s = await eventually(async () => summaryOf(b!.token, channel.id));
    expect(s.channel.members.map((m: any) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
    expect(s).toMatchObject({ lastSeq: 1, unread: 1, lastMessage: { body: "are you there?" } });
  });

  it("gets every device's cursor again from the room, their owner, when it has lost its copy", async () => {
    const [a, b] = await users(2, "lostcur");
    const channel = await dm(a!, b!);
    for (let i = 0; i < 3; i++) await post(a!, channel.id, `m${i}`);
    (await syncedDevice(b!.token, channel.id, "phone")).close();
    const missed = async (device: string) => (await api("GET", `/inbox/missed?device=${device}`, { token: b!.token })).body.channels;
    await eventually(async () => (await missed("laptop"))[0]?.lastSeq === 3 && (await missed("phone")).length === 0);
    const hub = env.USER_HUB.get(env.USER_HUB.idFromName(b!.user.id));
    await runInDurableObject(hub, (_i, state) => {
      state.storage.sql.exec("DELETE FROM channels");
      state.storage.sql.exec("DELETE FROM cursors");
    });
    await post(a!, channel.id, "one more");
    // The phone held 3 of 4: the rebuilt copy says so, not 0 of 4.
    await eventually(async () => (await missed("laptop"))[0]?.lastSeq === 4);
    expect(await missed("phone")).toEqual([{ channelId: channel.id, cursor: 3, lastSeq: 4 }]);
  });
});

describe("presence", () => {
  it("is online while an inbox socket is connected, and offline after the grace period with lastSeenAt", async () => {
    const [a, b] = await users(2, "pr");
    await dm(a!, b!);
    const before = await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token });
    expect(before.body.presence).toEqual([{ userId: b!.user.id, state: "offline", lastSeenAt: 0 }]);
    const watcher = await inbox(a!.token);
    const { ws } = await inbox(b!.token);
    expect(await watcher.ws.next("presence")).toMatchObject({ presence: { userId: b!.user.id, state: "online" } });
    expect((await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token })).body.presence[0].state).toBe("online");
    const closedAt = Date.now();
    ws.close();
    const offline = await watcher.ws.next("presence", 8000);
    expect(offline.presence).toMatchObject({ userId: b!.user.id, state: "offline" });
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(900);
    expect(offline.presence.lastSeenAt).toBeGreaterThan(0);
    expect(offline.presence.lastSeenAt).toBeLessThanOrEqual(Date.now());
    watcher.ws.close();
  });

  it("does not flap when a device reconnects within the grace period", async () => {
    const [a, b] = await users(2, "fl");
    await dm(a!, b!);
    const watcher = await inbox(a!.token);
    const first = await inbox(b!.token);
    await watcher.ws.next("presence");
    first.ws.close();
    await new Promise((r) => setTimeout(r, 300));
    const second = await inbox(b!.token);
    await watcher.ws.none("presence", 2000);
    expect((await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token })).body.presence[0].state).toBe("online");
    second.ws.close();
    watcher.ws.close();
  });

  it("goes offline after missed heartbeats even if the socket stays open", async () => {
    const [a, b] = await users(2, "hb");
    await dm(a!, b!);
    const watcher = await inbox(a!.token);
    const silent = await inbox(b!.token);
    await watcher.ws.next("presence");
    // The watcher keeps pinging; the silent device never does.
    const pinger = setInterval(() => watcher.ws.send('{"type":"ping"}'), 500);
    try {
      const offline = await watcher.ws.next("presence", 8000);
      expect(offline.presence).toMatchObject({ userId: b!.user.id, state: "offline" });
      expect((await silent.ws.closed).code).toBe(4408);
    } finally {
      clearInterval(pinger);
    }
    watcher.ws.close();
  });

  it("stays online while the device keeps pinging past the heartbeat timeout", async () => {
    const [a, b] = await users(2, "kp");
    await dm(a!, b!);
    const { ws } = await inbox(b!.token);
    const pinger = setInterval(() => ws.send('{"type":"ping"}'), 400);
    try {
      await new Promise((r) => setTimeout(r, 3500));
      expect((await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token })).body.presence[0].state).toBe("online");
    } finally {
      clearInterval(pinger);
    }
    ws.close();
  });
});

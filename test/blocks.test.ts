import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { dmChannelId } from "../src/channel-room/channel-id";
import { channelRoom } from "../src/channel-room/stub";
import { idKey } from "../src/placement/signed-id";
import { dm, group, post, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually, openSocket } from "./helpers/socket";

const receiver = inject("pushReceiverUrl");

const block = (who: TestUser, target: TestUser) => api("POST", "/blocks", { token: who.token, json: { handle: target.handle } });
const unblock = (who: TestUser, target: TestUser) => api("DELETE", `/blocks/${target.handle}`, { token: who.token });
const channelsOf = async (u: TestUser) => (await api("GET", "/channels", { token: u.token })).body.channels as any[];

/** Waits until the user's hub knows the channel (it learns through the room's drain). */
const inInbox = (u: TestUser, channelId: string) => eventually(async () => (await channelsOf(u)).some((s) => s.channel.id === channelId));

describe("blocks", () => {
  it("lists, repeats and undoes a block; refuses blocking oneself or an unknown handle", async () => {
    const [a, b, c] = await users(3, "blk");
    expect((await block(a!, b!)).status).toBe(201);
    expect((await block(a!, b!)).status).toBe(200);
    expect((await block(a!, c!)).body.user.id).toBe(c!.user.id);
    expect((await api("GET", "/blocks", { token: a!.token })).body.users.map((u: any) => u.id)).toEqual([b!.user.id, c!.user.id]);
    expect((await unblock(a!, b!)).status).toBe(204);
    expect((await unblock(a!, b!)).status).toBe(204);
    expect((await api("GET", "/blocks", { token: a!.token })).body.users.map((u: any) => u.id)).toEqual([c!.user.id]);
    expect((await block(a!, a!)).status).toBe(400);
    const unknown = await api("POST", "/blocks", { token: a!.token, json: { handle: "nobody_has_this_handle" } });
    expect(unknown.status).toBe(404);
    expect((await api("POST", "/blocks", { token: a!.token, json: { handle: 7 } })).status).toBe(400);
  });

  it("refuses a DM from someone the user blocked with 403 forbidden, and creates nothing", async () => {
    const [a, b] = await users(2, "bdm");
    await block(a!, b!);
    const res = await api("POST", "/dms", { token: b!.token, json: { handle: a!.handle } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    expect(await channelsOf(a!)).toEqual([]);
    expect(await channelsOf(b!)).toEqual([]);
    await unblock(a!, b!);
    expect((await api("POST", "/dms", { token: b!.token, json: { handle: a!.handle } })).status).toBe(201);
  });

  it("refuses putting the blocker in a group, at creation or by adding, with 403", async () => {
    const [a, b, c] = await users(3, "bgr");
    await block(a!, b!);
    const created = await api("POST", "/channels", { token: b!.token, json: { title: "trap", members: [c!.handle, a!.handle] } });
    expect(created.status).toBe(403);
    expect(created.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining(a!.handle) });
    const g = await group(b!, [c!], "fine");
    const added = await api("POST", `/channels/${g.id}/members`, { token: b!.token, json: { handle: a!.handle } });
    expect(added.status).toBe(403);
    expect((await api("GET", `/channels/${g.id}`, { token: a!.token })).status).toBe(404);
    // Someone a did not block may still add a.
    expect((await api("POST", `/channels/${g.id}/members`, { token: c!.token, json: { handle: a!.handle } })).status).toBe(200);
  });

  it("refuses a blocked user's sends in an existing DM, over HTTP and the socket, until unblocked", async () => {
    const [a, b] = await users(2, "bsd");
    const channel = await dm(a!, b!);
    await inInbox(a!, channel.id);
    await block(a!, b!);
    const refused = await post(b!, channel.id, "let me talk");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    const ws = await openSocket(`/channels/${channel.id}/socket`, b!.token, "b1");
    await ws.next("welcome");
    ws.send({ type: "send", clientMsgId: "blocked-1", body: "still me" });
    expect(await ws.next("error")).toMatchObject({ code: "forbidden", clientMsgId: "blocked-1" });
    ws.close();
    // The blocker still speaks; nothing of b's was stored.
    expect((await post(a!, channel.id, "I can")).status).toBe(201);
    const history = await api("GET", `/channels/${channel.id}/messages`, { token: a!.token });
    expect(history.body.messages.map((m: any) => m.senderId)).toEqual([a!.user.id]);
    await unblock(a!, b!);
    expect((await post(b!, channel.id, "thanks")).status).toBe(201);
  });

  it("refuses the blocked user's sends in a DM the blocker opens after blocking", async () => {
    const [a, b] = await users(2, "bap");
    await block(a!, b!);
    const channel = await dm(a!, b!);
    expect((await post(b!, channel.id, "hi")).status).toBe(403);
    expect((await post(a!, channel.id, "I opened it")).status).toBe(201);
  });

  it("refuses the blocked user's sends in a DM they were creating when the block came (before the blocker's hub knew the DM)", async () => {
    const [a, b] = await users(2, "brc");
    const channelId = await dmChannelId(await idKey(env), a!.user.id, b!.user.id);
    // b blocks a between a's consent check and the room's creation: no hub knows the DM yet, so no room hears of the block.
    expect((await block(b!, a!)).status).toBe(201);
    // What a's POST /dms does next, past its checks.
    const created = await channelRoom(env, channelId).create({ channelId, kind: "dm", title: "", creatorId: a!.user.id, members: [a!.user, b!.user] });
    expect(created).toMatchObject({ ok: true, value: { created: true } });
    const refused = await post(a!, channelId, "slipped in?");
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await post(b!, channelId, "the blocker still speaks")).status).toBe(201);
  });

  it("does not push a blocked member's messages in a shared group to the blocker", async () => {
    const [a, b, c] = await users(3, "bpu");
    const g = await group(c!, [a!, b!], "shared");
    const key = await api("GET", "/push/key", { token: a!.token });
    const sub = await subscribe(receiver, key.body.publicKey);
    expect((await api("POST", "/push/subscriptions", { token: a!.token, json: { device: "phone", subscription: { endpoint: sub.endpoint, keys: sub.keys } } })).status).toBe(201);
    await block(a!, b!);
    expect((await post(b!, g.id, "from the blocked one")).status).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect((await post(c!, g.id, "from a friend")).status).toBe(201);
    const pushes = await eventually(async () => {
      const got = (await getNotifications(receiver, sub.clientHash)).map((m) => JSON.parse(m));
      return got.length > 0 ? got : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(pushes.map((p: any) => p.senderId)).toEqual([c!.user.id]);
    expect((await getNotifications(receiver, sub.clientHash)).length).toBe(1);
  });
});

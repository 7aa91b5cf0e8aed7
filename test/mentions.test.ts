import { describe, expect, inject, it } from "vitest";
import { group, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { del, edit, history, say, summaryOf } from "./helpers/messages";
import { getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually } from "./helpers/socket";

const receiver = inject("pushReceiverUrl");

async function subscribed(u: TestUser) {
  const key = await api("GET", "/push/key", { token: u.token });
  const sub = await subscribe(receiver, key.body.publicKey);
  const res = await api("POST", "/push/subscriptions", { token: u.token, json: { device: "phone", subscription: { endpoint: sub.endpoint, keys: sub.keys } } });
  expect(res.status).toBe(201);
  return sub;
}

const pushesFor = async (clientHash: string): Promise<any[]> => (await getNotifications(receiver, clientHash)).map((m) => JSON.parse(m));

describe("mentions", () => {
  it("resolves @handles of members only, in any case, never inside an e-mail address", async () => {
    const [a, b, c, outsider] = await users(4, "mn");
    const channel = await group(a!, [b!, c!]);
    const m = await say(a!, channel.id, `hi @${b!.handle.toUpperCase()}, @${outsider!.handle} and mail ${c!.handle}@example.com; @${b!.handle} again`);
    expect(m.mentions).toEqual([b!.user.id]);
    expect((await history(c!, channel.id))[0].mentions).toEqual([b!.user.id]);
    const plain = await say(a!, channel.id, "no one in particular");
    expect(plain).not.toHaveProperty("mentions");
  });

  it("counts unread mentions in the summary, cleared by reading, and follows edits and deletes", async () => {
    const [a, b, c] = await users(3, "mc");
    const channel = await group(a!, [b!, c!]);
    await say(a!, channel.id, `@${b!.handle} first`);
    const second = await say(a!, channel.id, `and @${b!.handle} @${c!.handle} second`);
    await say(b!, channel.id, `talking to myself @${b!.handle}`);
    const mentionsOf = async (u: TestUser, n: number) => eventually(async () => (await summaryOf(u, channel.id))?.mentions === n);
    await mentionsOf(b!, 2);
    await mentionsOf(c!, 1);
    expect((await summaryOf(a!, channel.id)).mentions).toBe(0);
    await edit(a!, channel.id, second.seq, "and no one second");
    await mentionsOf(b!, 1);
    await mentionsOf(c!, 0);
    await edit(a!, channel.id, second.seq, `@${c!.handle} back again`);
    await mentionsOf(c!, 1);
    await del(a!, channel.id, second.seq);
    await mentionsOf(c!, 0);
    const read = await api("POST", `/channels/${channel.id}/read`, { token: b!.token, json: { seq: 3 } });
    expect(read.body.summary).toMatchObject({ unread: 0, mentions: 0 });
  });

  it("pushes a mention to an offline member at once, even inside the channel's coalescing window", async () => {
    const [a, b] = await users(2, "mp");
    const channel = await group(a!, [b!]);
    const sub = await subscribed(b!);
    await say(a!, channel.id, "plain one");
    await eventually(async () => (await pushesFor(sub.clientHash)).length === 1);
    // The window is now open for 30 s: plain messages wait, a mention does not.
    await say(a!, channel.id, "plain two");
    const mention = await say(a!, channel.id, `@${b!.handle} look`);
    const got = await eventually(async () => {
      const all = await pushesFor(sub.clientHash);
      return all.length >= 2 ? all : undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(await pushesFor(sub.clientHash)).toHaveLength(2);
    expect(got[1]).toEqual({ type: "message", channelId: channel.id, seq: mention.seq, senderId: a!.user.id, preview: `@${b!.handle} look`, mention: true });
  });
});

import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { planDrain } from "../src/channel-room/drain";
import type { BillingMeter } from "../src/sockets/billing-meter";
import { markRead } from "../src/channel-room/reads";
import * as schema from "../src/channel-room/schema";
import { dm, group, post, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

// A member who has the channel open reads new messages live: their UserHub
// (badge, preview, other devices) hears of them later and all at once, not
// once per drain. Anything else that changes what their hub holds (a read
// marker, members, a message that mentions them) still goes at once. A
// member who is away (no inbox open, the channel open nowhere) is updated at
// most every 2 s while the channel is busy.

const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));

async function summaryOf(u: TestUser, channelId: string): Promise<any> {
  return (await api("GET", "/channels", { token: u.token })).body.channels.find((s: any) => s.channel.id === channelId);
}

describe("hub fan-out for members who read the channel live", () => {
  it("leaves a live member's new messages for a later drain, but not their read marker", async () => {
    const [a, b] = await users(2, "live");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!, channel.id)) !== undefined);
    const room = roomOf(channel.id) as DurableObjectStub;
    const planned: { onlyMessages: string[]; nobodyLive: string[]; afterRead: { userId: string; readSeq: number }[] } = await runInDurableObject(room, async (room: any, state) => {
      const db = drizzle(state.storage, { schema });
      await room.send(a!.user.id, { clientMsgId: crypto.randomUUID(), body: "seen live" });
      const everyoneLive = () => true;
      const onlyMessages = planDrain(db, Date.now(), undefined, [], everyoneLive).map((d) => d.userId);
      const nobodyLive = planDrain(db, Date.now(), undefined, [], () => false).map((d) => d.userId);
      state.storage.transactionSync(() => markRead(db, b!.user.id, 1, undefined, Date.now()));
      const afterRead = planDrain(db, Date.now(), undefined, [], everyoneLive);
      return { onlyMessages, nobodyLive, afterRead: afterRead.map((d) => ({ userId: d.userId, readSeq: (d.update as any)?.summary?.readSeq })) };
    });
    expect(planned.onlyMessages).toEqual([]);
    expect(planned.nobodyLive.sort()).toEqual([a!.user.id, b!.user.id].sort());
    expect(planned.afterRead).toEqual([{ userId: b!.user.id, readSeq: 1 }]);
  });

  it("catches a member's hub up with every message they read live as soon as they leave the channel", async () => {
    const [a, b] = await users(2, "leave");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!, channel.id)) !== undefined);
    const open = await openSocket(`/channels/${channel.id}/socket`, b!.token, "laptop");
    await open.next("welcome");
    for (let i = 0; i < 5; i++) await post(a!, channel.id, `live ${i}`);
    for (let i = 0; i < 5; i++) expect((await open.next("message")).message.body).toBe(`live ${i}`);
    open.close();
    const s = await eventually(async () => {
      const s = await summaryOf(b!, channel.id);
      return s?.lastSeq === 5 && s;
    });
    expect(s).toMatchObject({ lastSeq: 5, unread: 5, lastMessage: { body: "live 4" } });
  });

  it("keeps the inbox of a device without the channel open current while the member reads live on another", async () => {
    const [a, b] = await users(2, "phone");
    const channel = await dm(a!, b!);
    await eventually(async () => (await summaryOf(b!, channel.id)) !== undefined);
    const phone = await openSocket("/inbox/socket", b!.token, "phone");
    await phone.next("welcome");
    const laptop = await openSocket(`/channels/${channel.id}/socket`, b!.token, "laptop");
    await laptop.next("welcome");
    // The first message tells the room which devices show b's inbox; every later one reaches the phone too.
    for (let i = 1; i <= 3; i++) {
      await post(a!, channel.id, `to the phone ${i}`);
      await laptop.next("message");
      const summary = await nextSummary(phone, channel.id, i);
      expect(summary).toMatchObject({ lastSeq: i, unread: i, lastMessage: { body: `to the phone ${i}` } });
    }
    laptop.close();
    phone.close();
  });

  it("still coalesces a member whose every inbox device has the channel open", async () => {
    const [a, b] = await users(2, "onedevice");
    const channel = await dm(a!, b!);
    const { inbox, open } = await readingLive(a!, b!, channel.id);
    // Ten drain gaps: the hub does not hear of a message its only inbox device is reading live.
    await inbox.none("summary", 1000);
    open.close();
    await nextSummary(inbox, channel.id, 2);
    inbox.close();
  });

  it("wakes the room for no drain while every member reads the channel live", async () => {
    const people = await users(3, "alllive");
    const [a, ...others] = people;
    const channel = await group(a!, others);
    await eventually(async () => (await summaryOf(others.at(-1)!, channel.id)) !== undefined);
    const sockets = await Promise.all(people.map((u) => openSocket(`/channels/${channel.id}/socket`, u.token, "laptop")));
    await Promise.all(sockets.map((ws) => ws.next("welcome")));
    // The first message meets each member's hub (it learns they have no inbox open elsewhere).
    await post(a!, channel.id, "first");
    for (const ws of sockets.slice(1)) await ws.next("message");
    await new Promise((r) => setTimeout(r, 300));
    const alarmsOf = () => runInDurableObject(roomOf(channel.id), (o) => (o as unknown as { meter: BillingMeter }).meter.take().alarms);
    await alarmsOf();
    for (let i = 0; i < 6; i++) {
      await post(a!, channel.id, `live ${i}`);
      for (const ws of sockets.slice(1)) await ws.next("message");
      await new Promise((r) => setTimeout(r, 150));
    }
    // One drain per message before: six alarms. Now at most the one of a member whose slot fell in this second.
    expect(await alarmsOf()).toBeLessThanOrEqual(1);
    for (const ws of sockets) ws.close();
    // Leaving still catches their hub up at once.
    await eventually(async () => (await summaryOf(others[0]!, channel.id))?.lastSeq === 7 || undefined);
  });

  it("lets no one wait for a message that mentions them", async () => {
    const [a, b, c] = await users(3, "mentioned");
    const channel = await group(a!, [b!, c!]);
    await eventually(async () => (await summaryOf(c!, channel.id)) !== undefined);
    const due: string[] = await runInDurableObject(roomOf(channel.id) as DurableObjectStub, async (room: any, state) => {
      const db = drizzle(state.storage, { schema });
      await room.send(a!.user.id, { clientMsgId: crypto.randomUUID(), body: `@${b!.handle} over here` });
      return planDrain(db, Date.now(), undefined, [], () => true).map((d) => d.userId);
    });
    // Everyone may wait for a plain message; b, mentioned, may not.
    expect(due).toEqual([b!.user.id]);
  });

  it("brings a mention to the hub of a member reading live at once, though the room was quiet", async () => {
    const [a, b] = await users(2, "mentionlive");
    const channel = await dm(a!, b!);
    // a reads live too (not away), so nobody is due before their moment.
    const { inbox, open, sender } = await readingLive(a!, b!, channel.id, { senderLive: true });
    // The room now sleeps until the first moment of the period (up to 30 s): a plain message waits for it...
    await inbox.none("summary", 500);
    // ...a mention does not.
    await post(a!, channel.id, `@${b!.handle} this one is for you`);
    const s = await nextSummary(inbox, channel.id, 3);
    expect(s.mentions).toBe(1);
    open.close();
    sender!.close();
    inbox.close();
  });

  it("updates an away member's hub at most every 2 s while the channel is busy, and catches them up", async () => {
    const [a, b] = await users(2, "away");
    const channel = await dm(a!, b!);
    const sender = await openSocket(`/channels/${channel.id}/socket`, a!.token, "laptop");
    await sender.next("welcome");
    // The first message meets b's hub, which says b has no inbox open: b is away.
    await post(a!, channel.id, "first");
    await eventually(async () => (await summaryOf(b!, channel.id))?.lastSeq === 1 || undefined);
    const alarmsOf = () => runInDurableObject(roomOf(channel.id), (o) => (o as unknown as { meter: BillingMeter }).meter.take().alarms);
    await alarmsOf();
    for (let i = 0; i < 8; i++) {
      await post(a!, channel.id, `busy ${i}`);
      await new Promise((r) => setTimeout(r, 150));
    }
    // A drain per message before (b was due at every one): eight alarms. Now one per 2 s at most.
    expect(await alarmsOf()).toBeLessThanOrEqual(2);
    await eventually(async () => (await summaryOf(b!, channel.id))?.lastSeq === 9 || undefined);
    sender.close();
  });

  it("reaches every member's hub after a restart, though a drain takes only 20 live members it has not met", async () => {
    const [owner, ...others] = await users(26, "first");
    const channel = await group(owner!, others);
    await eventually(async () => (await summaryOf(others.at(-1)!, channel.id)) !== undefined);
    // A restart forgets every member's slot and inbox devices: the next message meets them all anew.
    await evictDurableObject(roomOf(channel.id));
    const sockets = await Promise.all(others.map((u) => openSocket(`/channels/${channel.id}/socket`, u.token, "laptop")));
    await Promise.all(sockets.map((ws) => ws.next("welcome")));
    await post(owner!, channel.id, "after the restart");
    for (const u of others) await eventually(async () => (await summaryOf(u, channel.id))?.lastSeq === 1);
    for (const ws of sockets) ws.close();
  }, 30_000);
});

/** The next summary of the channel on this inbox socket that covers `seq`. */
/**
 * b has the channel open on their only inbox device (reads it live): the
 * first message from a reaches b's hub at once, the second only b's socket.
 * With `senderLive`, a reads live too, so nobody is due before their moment.
 */
async function readingLive(a: TestUser, b: TestUser, channelId: string, { senderLive = false } = {}) {
  await eventually(async () => (await summaryOf(b, channelId)) !== undefined);
  const inbox = await openSocket("/inbox/socket", b.token, "laptop");
  await inbox.next("welcome");
  const open = await openSocket(`/channels/${channelId}/socket`, b.token, "laptop");
  await open.next("welcome");
  const sender = senderLive ? await openSocket(`/channels/${channelId}/socket`, a.token, "laptop") : undefined;
  await sender?.next("welcome");
  await post(a, channelId, "first, delivered at once");
  await nextSummary(inbox, channelId, 1);
  await post(a, channelId, "second, read live");
  await open.next("message");
  return { inbox, open, sender };
}

async function nextSummary(inbox: TestSocket, channelId: string, seq: number): Promise<any> {
  for (;;) {
    const { summary } = await inbox.next("summary");
    if (summary.channel.id === channelId && summary.lastSeq >= seq) return summary;
  }
}

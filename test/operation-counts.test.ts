import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BilledUsage, BillingMeter } from "../src/sockets/billing-meter";
import { dm, group, users } from "./helpers/channels";
import type { TestUser } from "./helpers/http";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

/**
 * What each operation the bill counts costs on the platform, measured on the
 * service itself (bench/cost.mjs reads the result): SQLite rows from the
 * objects' own meters, Durable Object requests (RPCs and upgrades) by
 * counting every call through the two namespaces, which the Worker and the
 * objects share with this isolate, and socket frames by what the test sends.
 * With COUNTS_OUT set (`node bench/counts.mjs`), the figures are written
 * there as JSON.
 */

interface Call {
  to: "room" | "hub";
  /** The object's name (a channel or user id). */
  name: string | undefined;
  method: string;
  /** Wall time until the call settled, null while it runs. */
  ms: number | null;
}
let calls: Call[] = [];
const real = { hub: env.USER_HUB.get.bind(env.USER_HUB), room: env.CHANNEL_ROOM.get.bind(env.CHANNEL_ROOM) };

function counting<T extends { id: DurableObjectId }>(to: Call["to"], stub: T): T {
  return new Proxy(stub, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof key !== "string" || key === "then" || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const call: Call = { to, name: target.id.name, method: key, ms: null };
        const started = Date.now();
        calls.push(call);
        // Reflect.apply: on an RPC method, `.apply` would name a remote property.
        const result = Reflect.apply(value, target, args);
        const settle = () => void (call.ms = Date.now() - started);
        Promise.resolve(result).then(settle, settle);
        return result;
      };
    },
  });
}

beforeAll(() => {
  (env.USER_HUB as any).get = (id: DurableObjectId, o?: DurableObjectNamespaceGetDurableObjectOptions) => counting("hub", real.hub(id, o));
  (env.CHANNEL_ROOM as any).get = (id: DurableObjectId, o?: DurableObjectNamespaceGetDurableObjectOptions) => counting("room", real.room(id, o));
});
afterAll(() => {
  (env.USER_HUB as any).get = real.hub;
  (env.CHANNEL_ROOM as any).get = real.room;
});

const roomOf = (channelId: string) => real.room(env.CHANNEL_ROOM.idFromName(channelId));
const hubOf = (userId: string) => real.hub(env.USER_HUB.idFromName(userId));
function take(stub: ReturnType<typeof roomOf> | ReturnType<typeof hubOf>): Promise<BilledUsage> {
  return runInDurableObject(stub as ReturnType<typeof roomOf>, (o) => (o as unknown as { meter: BillingMeter }).meter.take());
}

function sum(into: BilledUsage, add: BilledUsage): BilledUsage {
  for (const k of Object.keys(into) as (keyof BilledUsage)[]) into[k] += add[k];
  return into;
}
const none = (): BilledUsage => ({ statements: 0, rowsRead: 0, rowsWritten: 0, alarms: 0, alarmMs: 0 });
async function takeHubs(people: TestUser[]): Promise<BilledUsage> {
  const each = await Promise.all(people.map((p) => take(hubOf(p.user.id))));
  return each.reduce(sum, none());
}

/** How many members other than `except` have a hub behind the room's rev. */
function behind(channelId: string, except: string): Promise<number> {
  return runInDurableObject(roomOf(channelId) as DurableObjectStub, (_room, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM members WHERE user_id != ? AND delivered_rev < (SELECT rev FROM meta)", except).one().n,
  );
}

const settled = (method: string, name?: string) => calls.filter((c) => c.method === method && c.ms !== null && (name === undefined || c.name === name));

/**
 * Everything an operation costs: it runs, then we wait until `hubUpdates`
 * hub updates have settled and the room's drain alarm has finished (when one
 * is expected), and read every meter.
 */
async function measure(channelId: string, people: TestUser[], run: () => Promise<number | void>, expect: { hubUpdates: number; alarm: boolean }) {
  await take(roomOf(channelId));
  await takeHubs(people);
  calls = [];
  const started = Date.now();
  const answerMs = (await run()) ?? Date.now() - started;
  const room = none();
  await eventually(async () => {
    sum(room, await take(roomOf(channelId)));
    return (settled("applyChannelUpdate").length >= expect.hubUpdates && (!expect.alarm || room.alarms > 0)) || undefined;
  });
  const hubs = await takeHubs(people);
  const updates = settled("applyChannelUpdate");
  return {
    room,
    hubs,
    answerMs,
    calls: calls.map((c) => `${c.to}.${c.method}`),
    hubUpdates: updates.length,
    updated: updates.map((c) => c.name),
    hubUpdateMs: updates.reduce((s, c) => s + c.ms!, 0) / Math.max(1, updates.length),
  };
}
type Measured = Awaited<ReturnType<typeof measure>>;

/** One message sent on the socket, answered by its ack. */
async function send(ws: TestSocket, body: string): Promise<number> {
  const started = Date.now();
  ws.send({ type: "send", clientMsgId: crypto.randomUUID(), body });
  await ws.next("ack");
  return Date.now() - started;
}

/** Per operation, the figures bench/cost.mjs reads. */
function perOperation(m: Measured, n = 1) {
  return {
    roomRowsRead: m.room.rowsRead / n,
    roomRowsWritten: m.room.rowsWritten / n,
    roomStatements: m.room.statements / n,
    roomAlarms: m.room.alarms / n,
    roomAlarmMs: m.room.alarmMs / n,
    answerMs: m.answerMs / n,
    hubUpdates: m.hubUpdates / n,
    hubRowsReadPerUpdate: m.hubs.rowsRead / Math.max(1, m.hubUpdates),
    hubRowsWrittenPerUpdate: m.hubs.rowsWritten / Math.max(1, m.hubUpdates),
    hubRowsRead: m.hubs.rowsRead / n,
    hubRowsWritten: m.hubs.rowsWritten / n,
    hubUpdateMs: m.hubUpdateMs,
    objectRequests: m.calls.length / n,
  };
}

const results: Record<string, unknown> = {};

describe("billed usage per operation (bench/cost.mjs, docs/capacity.md \"The bill\")", () => {
  it("a DM message: the sender's room writes its rows once and the partner's hub gets one update", async () => {
    const [a, b] = await users(2, "bill");
    const channel = await dm(a!, b!);
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    const inbox = await openSocket("/inbox/socket", b!.token);
    await Promise.all([ws.next("welcome"), inbox.next("welcome")]);
    await send(ws, "warm up");
    await eventually(async () => settled("applyChannelUpdate").length > 0 || undefined);

    const n = 5;
    const each: Measured[] = [];
    for (let i = 0; i < n; i++) each.push(await measure(channel.id, [a!, b!], () => send(ws, `message ${i}`), { hubUpdates: 1, alarm: true }));
    const m = each.reduce((t, x) => ({ ...t, room: sum(t.room, x.room), hubs: sum(t.hubs, x.hubs), answerMs: t.answerMs + x.answerMs, hubUpdates: t.hubUpdates + x.hubUpdates, hubUpdateMs: t.hubUpdateMs + x.hubUpdateMs / n, calls: [...t.calls, ...x.calls], updated: [...t.updated, ...x.updated] }), { ...each[0]!, room: none(), hubs: none(), answerMs: 0, hubUpdates: 0, hubUpdateMs: 0, calls: [] as string[], updated: [] as (string | undefined)[] });
    const per = perOperation(m, n);
    // The meter sees the platform's counts: a stored message is several rows, never none.
    expect(per.roomRowsWritten).toBeGreaterThanOrEqual(2);
    // Each message reaches the partner's hub once; the sender reads the channel live, so theirs waits (docs/capacity.md "One UserHub").
    expect(m.updated.filter((id) => id === b!.user.id)).toHaveLength(n);
    expect(per.hubRowsWrittenPerUpdate).toBeGreaterThanOrEqual(1);

    // Then the room sleeps until the live sender's hub is due (it used to wake every 100 ms: 9 alarms in this second).
    // At most one alarm: the sender's turn (once in 30 s) may fall in this second.
    await take(roomOf(channel.id));
    await new Promise((r) => setTimeout(r, 1000));
    const idle = await take(roomOf(channel.id));
    expect(idle.alarms).toBeLessThanOrEqual(1);
    results.dmMessage = per;

    // Read marker, edit and reaction by the partner, who now has the channel open.
    const bws = await openSocket(`/channels/${channel.id}/socket`, b!.token, "b-phone");
    const welcome = await bws.next("welcome");
    const seq = welcome.lastSeq;
    const read = await measure(channel.id, [a!, b!], async () => {
      bws.send({ type: "read", seq });
      await ws.next("receipt");
    }, { hubUpdates: 1, alarm: true });
    results.readMarker = perOperation(read);
    const edit = await measure(channel.id, [a!, b!], async () => {
      ws.send({ type: "edit", seq, body: "edited" });
      await bws.next("changed");
    }, { hubUpdates: 0, alarm: true });
    results.edit = perOperation(edit);
    const reaction = await measure(channel.id, [a!, b!], async () => {
      bws.send({ type: "react", seq, emoji: "👍" });
      await ws.next("changed");
    }, { hubUpdates: 0, alarm: true });
    results.reaction = perOperation(reaction);
    expect(read.room.rowsWritten).toBeGreaterThanOrEqual(1);
    expect(edit.room.rowsWritten).toBeGreaterThanOrEqual(1);
    expect(reaction.room.rowsWritten).toBeGreaterThanOrEqual(1);

    // Connects: a channel socket opened and closed again (the room checks membership, presence comes from its cache) and an inbox socket.
    const connect = await measure(channel.id, [a!, b!], async () => {
      const s = await openSocket(`/channels/${channel.id}/socket`, b!.token, "b-laptop");
      await s.next("welcome");
      s.close();
    }, { hubUpdates: 0, alarm: true }); // the close drains: a member who leaves the channel no longer reads it live
    results.channelConnect = perOperation(connect);
    const inboxConnect = await measure(channel.id, [a!, b!], async () => {
      const s = await openSocket("/inbox/socket", a!.token, "a-laptop");
      await s.next("welcome");
      s.close();
    }, { hubUpdates: 0, alarm: false });
    results.inboxConnect = perOperation(inboxConnect);
    expect(connect.calls).toContain("room.fetch");
    expect(inboxConnect.calls).toContain("hub.fetch");
    [ws, bws, inbox].forEach((s) => s.close());
  });

  it("a sync page of 50 messages reads each of them once, about", async () => {
    const [a, b] = await users(2, "billsync");
    const channel = await dm(a!, b!);
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    const bws = await openSocket(`/channels/${channel.id}/socket`, b!.token);
    await Promise.all([ws.next("welcome"), bws.next("welcome")]);
    // Two senders, each within the send rate limit.
    for (const s of [ws, bws]) for (let i = 0; i < 30; i++) s.send({ type: "send", clientMsgId: `s${i}`, body: `message ${i}` });
    for (const s of [ws, bws]) for (let i = 0; i < 30; i++) await s.next("ack");
    const page = await measure(channel.id, [a!, b!], async () => {
      ws.send({ type: "sync", after: 0, limit: 50 });
      const history = await ws.next("history");
      expect(history.messages).toHaveLength(50);
    }, { hubUpdates: 0, alarm: false });
    results.syncPage50 = perOperation(page);
    expect(page.room.rowsRead).toBeGreaterThanOrEqual(50);
    ws.close();
    bws.close();
  });

  it("a message to a group of 100: one update to each of the 99 other members' hubs", async () => {
    const people = await users(100, "bill100");
    const [a, ...others] = people;
    const channel = await group(a!, others, "hundred");
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await ws.next("welcome");
    await send(ws, "warm up");
    // Settled means every other member's hub holds the warm-up (the group's creation updated them too, so a count of calls says nothing) and no update is still in flight.
    await eventually(async () => ((await behind(channel.id, a!.user.id)) === 0 && calls.every((c) => c.ms !== null)) || undefined, 20_000);
    const m = await measure(channel.id, people, () => send(ws, "to everyone"), { hubUpdates: 99, alarm: true });
    // The sender reads live: their own hub's turn comes once in 30 s, not with each message.
    expect(m.updated.filter((id) => id !== a!.user.id)).toHaveLength(99);
    results.groupMessage100 = perOperation(m);
    ws.close();
  }, 120_000);

  afterAll(async () => {
    const body = JSON.stringify({ measuredAt: new Date().toISOString(), by: "test/operation-counts.test.ts", operations: results }, null, 2);
    await env.COUNTS_OUT.fetch("http://counts/", { method: "PUT", body });
  });
});

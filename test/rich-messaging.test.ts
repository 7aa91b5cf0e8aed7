import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dm, group, users } from "./helpers/channels";
import { changes, del, edit, history, react, say, summaryOf } from "./helpers/messages";
import { eventually, openSocket, type TestSocket } from "./helpers/socket";

async function joined(channelId: string, token: string, device = "d1"): Promise<TestSocket> {
  const ws = await openSocket(`/channels/${channelId}/socket`, token, device);
  await ws.next("welcome");
  return ws;
}

function roomSql<T>(channelId: string, fn: (sql: SqlStorage) => T): Promise<T> {
  const stub = env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));
  return runInDurableObject(stub, (_i, state) => fn(state.storage.sql));
}

describe("edit and delete", () => {
  it("lets only the author edit or delete: others get 403, non-members and unknown seqs 404", async () => {
    const [a, b, c] = await users(3, "ed");
    const channel = await dm(a!, b!);
    const m = await say(a!, channel.id, "original");
    expect((await edit(b!, channel.id, m.seq, "hijacked")).status).toBe(403);
    expect((await del(b!, channel.id, m.seq)).status).toBe(403);
    expect((await edit(c!, channel.id, m.seq, "outsider")).status).toBe(404);
    expect((await del(c!, channel.id, m.seq)).status).toBe(404);
    for (const seq of [2, 0, "x", "-1"]) {
      expect((await edit(a!, channel.id, seq, "nothing there")).status, String(seq)).toBe(404);
      expect((await del(a!, channel.id, seq)).status, String(seq)).toBe(404);
    }
    expect((await edit(a!, channel.id, m.seq, "   ")).status).toBe(400);
    expect((await edit(a!, channel.id, m.seq, "x".repeat(4001))).status).toBe(400);
    expect((await history(b!, channel.id)).map((x) => x.body)).toEqual(["original"]);
  });

  it("broadcasts an edit live to every socket, the editor's included, and shows it in history and sync", async () => {
    const [a, b] = await users(2, "edl");
    const channel = await dm(a!, b!);
    const m = await say(a!, channel.id, "helo");
    const wa = await joined(channel.id, a!.token);
    const wb = await joined(channel.id, b!.token);
    wa.send({ type: "edit", seq: m.seq, body: "hello" });
    const seen = await wb.next("changed");
    expect(seen).toMatchObject({ change: "edit", message: { seq: m.seq, id: m.id, body: "hello", editedAt: expect.any(Number) } });
    expect(seen.message.rev).toBeGreaterThan(m.rev);
    expect(await wa.next("changed")).toEqual(seen);
    expect(await history(b!, channel.id)).toEqual([seen.message]);
    wb.send({ type: "sync", after: 0 });
    expect((await wb.next("history")).messages).toEqual([seen.message]);
    // the same body again changes nothing and tells no one else
    const same = await edit(a!, channel.id, m.seq, "hello");
    expect(same.status).toBe(200);
    expect(same.body.message).toEqual(seen.message);
    await wb.none("changed");
    wa.close();
    wb.close();
  });

  it("deletes to a tombstone: seq stays, the body is erased from the row and the search index, history has no gap", async () => {
    const [a, b] = await users(2, "del");
    const channel = await dm(a!, b!);
    await say(a!, channel.id, "before");
    const secret = await say(a!, channel.id, "the launch code is zebrafish42");
    await say(b!, channel.id, "after");
    const wb = await joined(channel.id, b!.token);
    const res = await del(a!, channel.id, secret.seq);
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ seq: secret.seq, id: secret.id, body: "", deleted: true, clientMsgId: secret.clientMsgId });
    expect(await wb.next("changed")).toEqual({ type: "changed", change: "delete", message: res.body.message });
    const all = await history(b!, channel.id);
    expect(all.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(all[1]).toEqual(res.body.message);
    const row = await roomSql(channel.id, (sql) => sql.exec<{ body: string; deleted: number }>("SELECT body, deleted FROM messages WHERE seq = ?", secret.seq).one());
    expect(row).toEqual({ body: "", deleted: 1 });
    // secure-delete: the index's own pages no longer hold the word either
    const indexed = await roomSql(channel.id, (sql) =>
      sql.exec<{ block: ArrayBuffer | null }>("SELECT block FROM messages_fts_data").toArray().some((r) => r.block && new TextDecoder("latin1").decode(r.block).includes("zebrafish42")),
    );
    expect(indexed).toBe(false);
    // deleting again is a no-op; editing a tombstone is refused
    const again = await del(a!, channel.id, secret.seq);
    expect(again.status).toBe(200);
    expect(again.body.message.rev).toBe(res.body.message.rev);
    expect((await edit(a!, channel.id, secret.seq, "resurrect")).status).toBe(409);
    wb.close();
  });

  it("does not count tombstones as unread, and a deleted last message still updates the summary", async () => {
    const [a, b] = await users(2, "dun");
    const channel = await dm(a!, b!);
    await say(a!, channel.id, "one");
    const two = await say(a!, channel.id, "two");
    await eventually(async () => (await summaryOf(b!, channel.id))?.unread === 2);
    await del(a!, channel.id, two.seq);
    const s = await eventually(async () => {
      const got = await summaryOf(b!, channel.id);
      return got?.unread === 1 && got.lastMessage?.deleted === true ? got : undefined;
    });
    expect(s).toMatchObject({ lastSeq: 2, unread: 1, lastMessage: { seq: 2, body: "" } });
  });

  it("answers socket frames it refuses with an error naming the seq, and keeps the socket open", async () => {
    const [a, b] = await users(2, "edsk");
    const channel = await dm(a!, b!);
    const m = await say(a!, channel.id, "mine");
    const wb = await joined(channel.id, b!.token);
    wb.send({ type: "edit", seq: m.seq, body: "not yours" });
    expect(await wb.next("error")).toMatchObject({ code: "forbidden", seq: m.seq });
    wb.send({ type: "delete", seq: 99 });
    expect(await wb.next("error")).toMatchObject({ code: "not_found", seq: 99 });
    wb.send({ type: "react", seq: m.seq, emoji: "two words" });
    expect((await wb.next("error")).code).toBe("bad_request");
    wb.send({ type: "edit", seq: 0, body: "x" });
    expect((await wb.next("error")).code).toBe("bad_request");
    wb.send({ type: "react", seq: m.seq, emoji: "👍" });
    expect((await wb.next("changed")).message.reactions).toEqual([{ emoji: "👍", userIds: [b!.user.id] }]);
    expect((await history(a!, channel.id))[0].body).toBe("mine");
    wb.close();
  });
});

describe("change cursor", () => {
  it("brings a device that was away up to date on edits, deletes and reactions of messages it already held", async () => {
    const [a, b] = await users(2, "cur");
    const channel = await dm(a!, b!);
    const phone = await joined(channel.id, b!.token, "phone");
    for (const body of ["m1", "m2", "m3"]) await say(a!, channel.id, body);
    phone.send({ type: "sync", after: 0, changesAfter: 0 });
    const held = (await phone.next("history")).messages;
    const first = await phone.next("changes");
    expect(held.map((m: any) => m.seq)).toEqual([1, 2, 3]);
    expect(first).toMatchObject({ messages: [], hasMore: false });
    const cursor = first.rev;
    phone.close();

    await edit(a!, channel.id, 1, "m1 edited");
    await del(a!, channel.id, 2);
    await react(a!, channel.id, 3, "🎉");
    await say(a!, channel.id, "m4");

    const back = await joined(channel.id, b!.token, "phone");
    back.send({ type: "sync", after: 3, changesAfter: cursor });
    expect((await back.next("history")).messages.map((m: any) => m.body)).toEqual(["m4"]);
    const caught = await back.next("changes");
    expect(caught.hasMore).toBe(false);
    expect(caught.messages.map((m: any) => [m.seq, m.body, m.deleted ?? false])).toEqual([
      [1, "m1 edited", false],
      [2, "", true],
      [3, "m3", false],
    ]);
    expect(caught.messages[2].reactions).toEqual([{ emoji: "🎉", userIds: [a!.user.id] }]);
    const revs = caught.messages.map((m: any) => m.rev);
    expect([...revs].sort((x, y) => x - y)).toEqual(revs);
    expect(caught.rev).toBeGreaterThan(Math.max(...revs));
    // nothing new since: the next sync with the new cursor lists no changes
    back.send({ type: "sync", after: 4, changesAfter: caught.rev });
    await back.next("history");
    expect((await back.next("changes")).messages).toEqual([]);
    back.close();
  });

  it("pages the same changes over HTTP by rev, each page's rev the next cursor", async () => {
    const [a, b] = await users(2, "curh");
    const channel = await dm(a!, b!);
    for (const body of ["m1", "m2", "m3"]) await say(a!, channel.id, body);
    const start = (await changes(b!, channel.id, "after=0&through=0")).body;
    expect(start).toMatchObject({ messages: [], hasMore: false });
    await edit(a!, channel.id, 3, "m3 edited");
    await edit(a!, channel.id, 1, "m1 edited");
    const page1 = await changes(b!, channel.id, `after=${start.rev}&through=3&limit=1`);
    expect(page1.status).toBe(200);
    expect(page1.body.messages.map((m: any) => m.body)).toEqual(["m3 edited"]);
    expect(page1.body).toMatchObject({ hasMore: true, rev: page1.body.messages[0].rev });
    const page2 = (await changes(b!, channel.id, `after=${page1.body.rev}&through=3&limit=1`)).body;
    expect(page2.messages.map((m: any) => m.body)).toEqual(["m1 edited"]);
    expect(page2.hasMore).toBe(false);
    expect((await changes(b!, channel.id, `after=${page2.rev}`)).body.messages).toEqual([]);
    const [, , c] = await users(3, "curn");
    expect((await changes(c!, channel.id, "after=0")).status).toBe(404);
    expect((await changes(b!, channel.id, "after=-1")).status).toBe(400);
  });
});

describe("reactions", () => {
  it("toggles one emoji per user per message, lists who reacted, and sets idempotently with on", async () => {
    const [a, b] = await users(2, "rx");
    const channel = await dm(a!, b!);
    const m = await say(a!, channel.id, "react to me");
    const wa = await joined(channel.id, a!.token);
    expect((await react(a!, channel.id, m.seq, "👍")).status).toBe(200);
    expect((await wa.next("changed")).change).toBe("reaction");
    await react(b!, channel.id, m.seq, "👍");
    const hearts = await react(a!, channel.id, m.seq, "❤️");
    expect(hearts.body.message.reactions).toEqual([
      { emoji: "👍", userIds: [a!.user.id, b!.user.id] },
      { emoji: "❤️", userIds: [a!.user.id] },
    ]);
    const off = await react(a!, channel.id, m.seq, "👍");
    expect(off.body.message.reactions).toEqual([
      { emoji: "👍", userIds: [b!.user.id] },
      { emoji: "❤️", userIds: [a!.user.id] },
    ]);
    const set1 = await react(b!, channel.id, m.seq, "❤️", true);
    const set2 = await react(b!, channel.id, m.seq, "❤️", true);
    expect(set2.body.message).toEqual(set1.body.message);
    expect(set1.body.message.reactions[1]).toEqual({ emoji: "❤️", userIds: [a!.user.id, b!.user.id] });
    await react(b!, channel.id, m.seq, "👍", false);
    await react(b!, channel.id, m.seq, "👍", false);
    expect((await history(a!, channel.id))[0].reactions).toEqual([{ emoji: "❤️", userIds: [a!.user.id, b!.user.id] }]);
    wa.close();
  });

  it("refuses bad emoji with 400, a deleted message with 409, and a non-member with 404", async () => {
    const [a, b, c] = await users(3, "rxb");
    const channel = await dm(a!, b!);
    const m = await say(a!, channel.id, "x");
    for (const emoji of ["", "a b", "x".repeat(17), "\u0007", "tab\there", 5, null]) {
      expect((await react(b!, channel.id, m.seq, emoji)).status, JSON.stringify(emoji)).toBe(400);
    }
    expect((await react(c!, channel.id, m.seq, "👍")).status).toBe(404);
    expect((await react(b!, channel.id, 42, "👍")).status).toBe(404);
    await del(a!, channel.id, m.seq);
    expect((await react(b!, channel.id, m.seq, "👍")).status).toBe(409);
  });

  it("caps the distinct emoji on one message at 20, while more people may share one", async () => {
    // Three reactors, so no one of them reaches the burst of their edits-and-reactions budget.
    const [a, b, c] = await users(3, "rxc");
    const channel = await group(a!, [b!, c!]);
    const m = await say(a!, channel.id, "many");
    for (let i = 0; i < 20; i++) expect((await react([a, b, c][i % 3]!, channel.id, m.seq, `e${i}`)).status).toBe(200);
    expect((await react(c!, channel.id, m.seq, "e20")).status).toBe(409);
    expect((await react(b!, channel.id, m.seq, "e0")).status).toBe(200);
  });
});

describe("replies", () => {
  it("carries a preview of the quoted message, which follows its edit and empties on its delete", async () => {
    const [a, b] = await users(2, "rp");
    const channel = await dm(a!, b!);
    const quoted = await say(a!, channel.id, "q".repeat(150));
    const wb = await joined(channel.id, b!.token);
    const wa = await joined(channel.id, a!.token);
    wb.send({ type: "send", clientMsgId: "r1", body: "answer", replyTo: quoted.seq });
    const ack = (await wb.next("ack")).message;
    expect(ack).toMatchObject({ replyTo: 1, replyPreview: { seq: 1, senderId: a!.user.id, body: "q".repeat(100) } });
    expect((await wa.next("message")).message).toEqual(ack);
    expect((await history(a!, channel.id))[1]).toEqual(ack);
    await edit(a!, channel.id, quoted.seq, "short now");
    expect((await history(a!, channel.id))[1].replyPreview).toEqual({ seq: 1, senderId: a!.user.id, body: "short now" });
    await del(a!, channel.id, quoted.seq);
    expect((await history(a!, channel.id))[1].replyPreview).toEqual({ seq: 1, senderId: a!.user.id, body: "", deleted: true });
    wa.close();
    wb.close();
  });

  it("refuses a reply to a message that does not exist yet", async () => {
    const [a, b] = await users(2, "rpx");
    const channel = await group(a!, [b!]);
    await say(a!, channel.id, "one");
    await expect(say(b!, channel.id, "to the future", 5)).rejects.toThrow(/400/);
  });
});

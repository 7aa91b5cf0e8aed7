import { describe, expect, it } from "vitest";
import type { ChannelClientFrame, Message } from "../protocol";
import { ChannelSync } from "./channel-sync";
import { memoryHistory } from "../../test/helpers/memory-history";

// The engine is given frames as the room would send them; its HTTP pages come
// from an in-memory history (no server needed: the e2e tests run it against the real one).
function message(seq: number, extra: Partial<Message> = {}): Message {
  return { id: `m${seq}`, seq, channelId: "c", senderId: "u", body: `message ${seq}`, clientMsgId: `k${seq}`, createdAt: seq, rev: seq, ...extra };
}

function engine(all: Message[] = []) {
  const sent: ChannelClientFrame[] = [];
  const sync = new ChannelSync({ channelId: "c", pages: memoryHistory(all), initialHistory: 50 });
  const held: number[] = [];
  sync.events.on("held", (ms) => held.push(...ms.map((m) => m.seq)));
  return { sync, sent, held, send: (f: ChannelClientFrame) => (sent.push(f), true) };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => message(from + i));
const seqs = (ms: readonly Message[]) => ms.map((m) => m.seq);

describe("ChannelSync", () => {
  it("after a cached state, shows it before any socket and asks only for the gap and the changes since its change cursor", () => {
    const { sync, sent, send } = engine();
    sync.restore({ messages: range(1, 20), cursor: 20, changeRev: 17, lastSeq: 20, hasOlder: false });
    expect(seqs(sync.messages.value)).toEqual(seqs(range(1, 20)));
    expect(sync.cursor.value).toBe(20);

    sync.connected(25, send);
    expect(sent).toEqual([{ type: "sync", after: 20, limit: 100, changesAfter: 17 }]);
    sync.history({ type: "history", messages: range(21, 25), hasMore: false });
    expect(sync.cursor.value).toBe(25);
    expect(sync.synced.value).toBe(true);
  });

  it("without a cache, the first sync starts the initial history back from the newest message", () => {
    const { sync, sent, send } = engine();
    sync.connected(120, send);
    expect(sent[0]).toMatchObject({ type: "sync", after: 70 });
    expect(sync.hasOlder.value).toBe(true);
  });

  it("holds each message once when live frames and history overlap", () => {
    const { sync, send, held } = engine();
    sync.restore({ messages: range(1, 5), cursor: 5, changeRev: 5, lastSeq: 5, hasOlder: false });
    held.length = 0;
    sync.connected(8, send);
    sync.live([message(9)]);
    sync.live([message(7)]);
    sync.history({ type: "history", messages: range(6, 9), hasMore: false });
    expect(seqs(sync.messages.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(held.sort((a, b) => a - b)).toEqual([6, 7, 8, 9]);
  });

  it("asks for a hole at once when a live message skips past it", () => {
    const { sync, sent, send } = engine();
    sync.restore({ messages: range(1, 3), cursor: 3, changeRev: 3, lastSeq: 3, hasOlder: false });
    sync.connected(3, send);
    sync.history({ type: "history", messages: [], hasMore: false });
    sent.length = 0;
    sync.live([message(6)]);
    expect(sent).toEqual([{ type: "sync", after: 3, limit: 100 }]);
    expect(sync.cursor.value).toBe(3);
  });

  it("holds a batch of live messages at once, and asks for nothing when the batch continues the held run", () => {
    const { sync, sent, send, held } = engine();
    sync.restore({ messages: range(1, 3), cursor: 3, changeRev: 3, lastSeq: 3, hasOlder: false });
    sync.connected(3, send);
    sync.history({ type: "history", messages: [], hasMore: false });
    sent.length = 0;
    held.length = 0;
    sync.live(range(4, 7));
    expect(seqs(sync.messages.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(sync.cursor.value).toBe(7);
    expect(held).toEqual([4, 5, 6, 7]);
    expect(sent).toEqual([]);
  });

  it("a page read before a change cannot bring back the old version", async () => {
    const old = message(2, { body: "old", rev: 2 });
    const { sync, send } = engine([message(1), old]);
    sync.restore({ messages: [message(5)], cursor: 5, changeRev: 5, lastSeq: 5, hasOlder: true });
    sync.connected(5, send);
    sync.changed(message(2, { body: "edited", rev: 9 })); // not held yet: remembered
    await sync.loadOlder();
    expect(sync.messageAt(2)?.body).toBe("edited");
  });

  it("keeps an edit over an older copy of the same message", () => {
    const { sync, send } = engine();
    sync.restore({ messages: range(1, 3), cursor: 3, changeRev: 3, lastSeq: 3, hasOlder: false });
    sync.connected(3, send);
    sync.changed(message(2, { body: "edited", rev: 8 }));
    sync.history({ type: "history", messages: [message(2, { rev: 2 })], hasMore: false });
    expect(sync.messageAt(2)?.body).toBe("edited");
  });

  it("a jump leaves a gap that loadGap fills", async () => {
    const { sync, send } = engine(range(1, 200));
    sync.connected(200, send);
    sync.history({ type: "history", messages: range(151, 200), hasMore: false });
    expect(await sync.loadAround(20, 10)).toBe(true);
    const [gap] = sync.gaps.value;
    expect(gap).toEqual({ after: 25, before: 151 });
    await sync.loadGap(gap!.after, 200);
    expect(sync.gaps.value).toEqual([]);
  });

  it("a signal it exposes cannot be written from outside", () => {
    const { sync } = engine();
    expect(() => ((sync.messages as { value: unknown }).value = [])).toThrow();
  });
});

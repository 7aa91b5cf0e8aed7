import { describe, expect, it } from "vitest";
import { ChannelSync } from "../src/client/channel-sync";
import { memoryHistory } from "./helpers/memory-history";
import type { Message } from "../src/protocol";
import { nextMentionAfter } from "../web/next-mention";

// A real sync engine over an in-memory history (the browser test runs the same against the service).
const ME = "u_me";
const message = (seq: number, mentions?: string[]): Message => ({ id: `m${seq}`, seq, channelId: "c", senderId: "u_bo", body: `message ${seq}`, clientMsgId: `k${seq}`, createdAt: seq, rev: seq, ...(mentions ? { mentions } : {}) });

function openOnNewestPage(all: Message[], newest: number) {
  const sync = new ChannelSync({ channelId: "c", pages: memoryHistory(all), initialHistory: newest });
  sync.connected(all.length, () => true);
  sync.history({ type: "history", messages: all.slice(-newest), hasMore: false });
  return sync;
}
const mentionsMe = (m: Message) => m.mentions?.includes(ME) ?? false;

describe("web app: next mention", () => {
  it("goes to the first mention after where I left off, though only a later one is held yet", async () => {
    const all = Array.from({ length: 111 }, (_, i) => message(i + 1, i + 1 === 31 || i + 1 === 72 ? [ME] : undefined));
    const sync = openOnNewestPage(all, 50);
    expect(sync.messageAt(31)).toBeUndefined();
    expect(await nextMentionAfter(sync, 0, 72, ME, mentionsMe)).toBe(31);
    expect(sync.messageAt(31)?.seq).toBe(31);
    expect(await nextMentionAfter(sync, 31, 72, ME, mentionsMe)).toBe(72);
  });

  it("skips my own messages and deleted ones, and goes to the held one when nothing comes before it", async () => {
    const all = Array.from({ length: 200 }, (_, i) => message(i + 1));
    all[9] = { ...all[9]!, senderId: ME, mentions: [ME] };
    all[19] = { ...all[19]!, mentions: [ME], deleted: true };
    all[189] = { ...all[189]!, mentions: [ME] };
    const sync = openOnNewestPage(all, 20);
    expect(await nextMentionAfter(sync, 0, 190, ME, mentionsMe)).toBe(190);
  });
});

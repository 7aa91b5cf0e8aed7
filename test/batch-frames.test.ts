import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as v from "valibot";
import type { ChannelRoom } from "../src/channel-room/channel-room";
import { ChannelServerFrame } from "../src/protocol";
import { group, users } from "./helpers/channels";
import { openSocket } from "./helpers/socket";

// Messages stored in one burst leave the room together: a socket opened with
// batch=1 gets them in one `messages` frame, a socket of the baseline protocol
// one `message` frame each; both in seq order, and never the sender's own.
// A socket opened with batch=2 gets everything of a burst (messages, edits,
// reactions, receipts) in one `frames` frame.

const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));

/** Runs `body` inside the room, in one task of it (so what it sends leaves as one burst). */
function insideRoom(channelId: string, body: (room: ChannelRoom) => Promise<void>): Promise<void> {
  return runInDurableObject(roomOf(channelId), (instance) => body(instance as unknown as ChannelRoom));
}

describe("batch frames for a busy channel", () => {
  it("sends a burst as one messages frame to batch sockets and as message frames to the others, in order", async () => {
    const [a, b, c] = await users(3, "batch");
    const channel = await group(a!, [b!, c!], "busy");
    const batching = await openSocket(`/channels/${channel.id}/socket?batch=1`, b!.token, "laptop");
    const baseline = await openSocket(`/channels/${channel.id}/socket`, c!.token, "phone");
    await batching.next("welcome");
    await baseline.next("welcome");
    // Three sends in one task of the room: one burst.
    await insideRoom(channel.id, async (room) => {
      for (let i = 1; i <= 3; i++) await room.send(a!.user.id, { clientMsgId: `burst-${i}`, body: `burst ${i}` });
    });
    const batch = await batching.next("messages");
    // The frame is built by string concatenation in the room: it must still be the protocol's frame.
    expect(v.safeParse(ChannelServerFrame, batch).success).toBe(true);
    expect(batch.messages.map((m: any) => [m.seq, m.body])).toEqual([[1, "burst 1"], [2, "burst 2"], [3, "burst 3"]]);
    const one = [await baseline.next("message"), await baseline.next("message"), await baseline.next("message")];
    expect(one.map((f) => f.message.seq)).toEqual([1, 2, 3]);
    batching.close();
    baseline.close();
  });

  it("keeps an edit after the message it changes within one burst", async () => {
    const [a, b] = await users(2, "order");
    const channel = await group(a!, [b!], "ordered");
    const sender = await openSocket(`/channels/${channel.id}/socket?batch=1`, a!.token, "laptop");
    const reader = await openSocket(`/channels/${channel.id}/socket?batch=1`, b!.token, "laptop");
    await sender.next("welcome");
    await reader.next("welcome");
    await insideRoom(channel.id, async (room) => {
      await room.send(a!.user.id, { clientMsgId: "e-1", body: "typo" });
      await room.change(a!.user.id, { type: "edit", seq: 1, body: "fixed" });
      await room.send(b!.user.id, { clientMsgId: "e-2", body: "from b" });
    });
    expect((await reader.next()).type).toBe("message");
    expect(await reader.next()).toMatchObject({ type: "changed", message: { seq: 1, body: "fixed" } });
    // b's own message comes back to b's socket too (sent over RPC, not from this socket).
    expect(await reader.next()).toMatchObject({ type: "message", message: { seq: 2 } });
    sender.close();
    reader.close();
  });

  it("sends a burst of any frames as one frames frame to batch=2 sockets, in the order the room made them", async () => {
    const [a, b, c] = await users(3, "frames");
    const channel = await group(a!, [b!, c!], "mixed");
    const framing = await openSocket(`/channels/${channel.id}/socket?batch=2`, b!.token, "laptop");
    const batching = await openSocket(`/channels/${channel.id}/socket?batch=1`, c!.token, "phone");
    await framing.next("welcome");
    await batching.next("welcome");
    await insideRoom(channel.id, async (room) => {
      await room.send(a!.user.id, { clientMsgId: "f-1", body: "one" });
      await room.send(a!.user.id, { clientMsgId: "f-2", body: "two" });
      await room.change(a!.user.id, { type: "edit", seq: 1, body: "one, fixed" });
      await room.change(a!.user.id, { type: "react", seq: 2, emoji: "👍", on: true });
      await room.send(a!.user.id, { clientMsgId: "f-3", body: "three" });
    });
    const burst = await framing.next("frames");
    expect(v.safeParse(ChannelServerFrame, burst).success).toBe(true);
    // Consecutive messages inside are still one `messages` frame.
    expect(burst.frames.map((f: any) => [f.type, f.messages?.map((m: any) => m.seq) ?? f.message.seq])).toEqual([
      ["messages", [1, 2]],
      ["changed", 1],
      ["changed", 2],
      ["message", 3],
    ]);
    expect(burst.frames[1].message.body).toBe("one, fixed");
    // Nothing else came: the whole burst was that one frame.
    expect(framing.frames).toEqual([]);
    // A batch=1 socket gets the same burst as separate frames.
    expect((await batching.next()).type).toBe("messages");
    expect((await batching.next()).type).toBe("changed");
    expect((await batching.next()).type).toBe("changed");
    expect((await batching.next()).type).toBe("message");
    framing.close();
    batching.close();
  });

  it("sends a lone frame to a batch=2 socket as itself, not wrapped", async () => {
    const [a, b] = await users(2, "lone");
    const channel = await group(a!, [b!], "lone");
    const framing = await openSocket(`/channels/${channel.id}/socket?batch=2`, b!.token, "laptop");
    await framing.next("welcome");
    await insideRoom(channel.id, async (room) => {
      await room.send(a!.user.id, { clientMsgId: "l-1", body: "alone" });
    });
    expect(await framing.next()).toMatchObject({ type: "message", message: { seq: 1, body: "alone" } });
    framing.close();
  });

  it("refuses a batch value other than 1 or 2 with 400", async () => {
    const [a, b] = await users(2, "badbatch");
    const channel = await group(a!, [b!], "bad");
    await expect(openSocket(`/channels/${channel.id}/socket?batch=yes`, a!.token)).rejects.toThrow(/400/);
    await expect(openSocket(`/channels/${channel.id}/socket?batch=3`, a!.token)).rejects.toThrow(/400/);
  });
});

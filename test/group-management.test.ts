import { describe, expect, it } from "vitest";
import { dm, group, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { eventually, openSocket } from "./helpers/socket";

const history = async (token: string, id: string) => (await api("GET", `/channels/${id}/messages?limit=200`, { token })).body.messages as any[];
const summaryOf = async (token: string, id: string) => ((await api("GET", "/channels", { token })).body.channels as any[]).find((s) => s.channel.id === id);

describe("renaming a group", () => {
  it("renames for every member: the answer, an open socket, the channel list and a timeline line", async () => {
    const [ana, bo] = await users(2, "ren");
    const channel = await group(ana!, [bo!], "Old name");
    const sock = await openSocket(`/channels/${channel.id}/socket`, bo!.token);
    await sock.next("welcome");
    const res = await api("PATCH", `/channels/${channel.id}`, { token: bo!.token, json: { title: "  Trip to Lisbon  " } });
    expect(res.status).toBe(200);
    expect(res.body.channel.title).toBe("Trip to Lisbon");
    expect((await sock.next("channel")).channel.title).toBe("Trip to Lisbon");
    const line = (await sock.next("message")).message;
    expect(line).toMatchObject({ senderId: bo!.user.id, body: "", event: { type: "renamed", actor: { id: bo!.user.id, handle: bo!.handle }, title: "Trip to Lisbon" } });
    await eventually(async () => (await summaryOf(ana!.token, channel.id))?.channel.title === "Trip to Lisbon");
    expect((await history(ana!.token, channel.id)).map((m) => m.event?.type)).toEqual(["renamed"]);
    sock.close();
  });

  it("the same title again changes nothing and adds no line", async () => {
    const [ana, bo] = await users(2, "same");
    const channel = await group(ana!, [bo!], "Book club");
    expect((await api("PATCH", `/channels/${channel.id}`, { token: ana!.token, json: { title: "Book club" } })).status).toBe(200);
    expect(await history(ana!.token, channel.id)).toEqual([]);
  });

  it("refuses a non-member (404), a DM (400), and a title with bidi overrides, control characters, nothing or over 100 characters (400), changing nothing", async () => {
    const [ana, bo, eve] = await users(3, "refr");
    const channel = await group(ana!, [bo!], "Keep me");
    expect((await api("PATCH", `/channels/${channel.id}`, { token: eve!.token, json: { title: "Mine" } })).status).toBe(404);
    const pair = await dm(ana!, bo!);
    expect((await api("PATCH", `/channels/${pair.id}`, { token: ana!.token, json: { title: "A DM" } })).status).toBe(400);
    for (const title of ["\u202eecilA", "a\u0007b", "   ", "x".repeat(101), 42, "\ud800"]) {
      const res = await api("PATCH", `/channels/${channel.id}`, { token: ana!.token, json: { title } });
      expect(res.status, JSON.stringify(title)).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
    }
    expect((await api("GET", `/channels/${channel.id}`, { token: ana!.token })).body.channel.title).toBe("Keep me");
    expect(await history(ana!.token, channel.id)).toEqual([]);
  });
});

describe("timeline lines", () => {
  it("adds, leaves and removals are lines in history, with the names as they were, and never unread", async () => {
    const [ana, bo, cy] = await users(3, "line");
    const channel = await group(ana!, [bo!], "Team");
    expect((await post(bo!, channel.id, "hello")).status).toBe(201);
    await api("POST", `/channels/${channel.id}/members`, { token: bo!.token, json: { handle: cy!.handle } });
    await api("DELETE", `/channels/${channel.id}/members/${cy!.handle}`, { token: ana!.token });
    await api("DELETE", `/channels/${channel.id}/members/${bo!.handle}`, { token: bo!.token });
    const lines = (await history(ana!.token, channel.id)).map((m) => m.event ?? m.body);
    expect(lines).toEqual([
      "hello",
      { type: "added", actor: { id: bo!.user.id, handle: bo!.handle, displayName: bo!.user.displayName }, user: { id: cy!.user.id, handle: cy!.handle, displayName: cy!.user.displayName } },
      { type: "removed", actor: { id: ana!.user.id, handle: ana!.handle, displayName: ana!.user.displayName }, user: { id: cy!.user.id, handle: cy!.handle, displayName: cy!.user.displayName } },
      { type: "left", actor: { id: bo!.user.id, handle: bo!.handle, displayName: bo!.user.displayName } },
    ]);
    // Only "hello" is news to Ana: the three lines are not unread.
    await eventually(async () => (await summaryOf(ana!.token, channel.id))?.lastSeq === 4);
    expect((await summaryOf(ana!.token, channel.id)).unread).toBe(1);
  });

  it("the member who was added starts reading at the line that added them, with nothing unread", async () => {
    const [ana, bo] = await users(2, "start");
    const channel = await group(ana!, [], "Solo");
    await post(ana!, channel.id, "before you came");
    await api("POST", `/channels/${channel.id}/members`, { token: ana!.token, json: { handle: bo!.handle } });
    const summary = await eventually(() => summaryOf(bo!.token, channel.id));
    expect(summary).toMatchObject({ lastSeq: 2, readSeq: 2, unread: 0 });
    expect(summary.lastMessage.event).toMatchObject({ type: "added", user: { id: bo!.user.id } });
  });

  it("an open socket gets the line as a message, and the line cannot be edited, deleted or reacted to (409)", async () => {
    const [ana, bo, cy] = await users(3, "live");
    const channel = await group(ana!, [bo!], "Live");
    const sock = await openSocket(`/channels/${channel.id}/socket`, ana!.token);
    await sock.next("welcome");
    await api("POST", `/channels/${channel.id}/members`, { token: ana!.token, json: { handle: cy!.handle } });
    expect((await sock.next("member")).user.id).toBe(cy!.user.id);
    const line = (await sock.next("message")).message;
    expect(line.event.type).toBe("added");
    for (const [method, path, json] of [
      ["PATCH", `/channels/${channel.id}/messages/${line.seq}`, { body: "rewritten" }],
      ["DELETE", `/channels/${channel.id}/messages/${line.seq}`, undefined],
      ["POST", `/channels/${channel.id}/messages/${line.seq}/reactions`, { emoji: "👍" }],
    ] as const) {
      const res = await api(method, path, { token: ana!.token, json });
      expect(res.status, method).toBe(409);
    }
    expect((await history(ana!.token, channel.id))[0]).toEqual(line);
    sock.close();
  });

  it("a search never finds a line", async () => {
    const [ana, bo] = await users(2, "srch");
    const channel = await group(ana!, [], "Quiet");
    await api("POST", `/channels/${channel.id}/members`, { token: ana!.token, json: { handle: bo!.handle } });
    const res = await api("GET", `/channels/${channel.id}/search?q=${bo!.handle}`, { token: ana!.token });
    expect(res.body.messages).toEqual([]);
  });
});

describe("the group's creator", () => {
  it("is named in the channel (creatorId) for groups, not for DMs", async () => {
    const [ana, bo] = await users(2, "own");
    const channel = await group(ana!, [bo!], "Owned");
    expect(channel.creatorId).toBe(ana!.user.id);
    expect((await api("GET", `/channels/${channel.id}`, { token: bo!.token })).body.channel.creatorId).toBe(ana!.user.id);
    expect((await dm(ana!, bo!)).creatorId).toBeUndefined();
  });

  it("who leaves hands the group to the longest-standing member, who can then remove others; a line and the channel say so", async () => {
    const [ana, bo, cy, dee] = await users(4, "hand");
    const channel = await group(ana!, [bo!, cy!], "Handed");
    // Dee joins later than Bo and Cy; Bo was named first at creation.
    expect((await api("POST", `/channels/${channel.id}/members`, { token: cy!.token, json: { handle: dee!.handle } })).status).toBe(200);
    const sock = await openSocket(`/channels/${channel.id}/socket`, cy!.token);
    await sock.next("welcome");
    expect((await api("DELETE", `/channels/${channel.id}/members/${ana!.handle}`, { token: ana!.token })).status).toBe(204);
    expect((await sock.next("channel")).channel.creatorId).toBe(bo!.user.id);
    expect((await api("GET", `/channels/${channel.id}`, { token: cy!.token })).body.channel.creatorId).toBe(bo!.user.id);
    const lines = (await history(cy!.token, channel.id)).map((m) => m.event);
    const ref = (u: typeof ana) => ({ id: u!.user.id, handle: u!.handle, displayName: u!.user.displayName });
    expect(lines.slice(-2)).toEqual([
      { type: "left", actor: ref(ana) },
      { type: "creator", actor: ref(ana), user: ref(bo) },
    ]);
    // The new creator may remove; the others still may not.
    expect((await api("DELETE", `/channels/${channel.id}/members/${dee!.handle}`, { token: cy!.token })).status).toBe(403);
    expect((await api("DELETE", `/channels/${channel.id}/members/${dee!.handle}`, { token: bo!.token })).status).toBe(204);
    // Every member's channel list shows the new creator.
    await eventually(async () => (await summaryOf(cy!.token, channel.id))?.channel.creatorId === bo!.user.id);
    sock.close();
  });

  it("a member other than the creator leaving changes no creator and adds one line", async () => {
    const [ana, bo, cy] = await users(3, "stay");
    const channel = await group(ana!, [bo!, cy!], "Kept");
    expect((await api("DELETE", `/channels/${channel.id}/members/${bo!.handle}`, { token: bo!.token })).status).toBe(204);
    expect((await api("GET", `/channels/${channel.id}`, { token: cy!.token })).body.channel.creatorId).toBe(ana!.user.id);
    expect((await history(cy!.token, channel.id)).map((m) => m.event?.type)).toEqual(["left"]);
  });
});

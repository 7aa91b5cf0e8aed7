import { describe, expect, it } from "vitest";
import { dm, group, post, users } from "./helpers/channels";
import { api, signup } from "./helpers/http";
import { openSocket } from "./helpers/socket";

describe("direct messages", () => {
  it("gives the one DM channel of a pair, the same every time and from either side", async () => {
    const [a, b] = await users(2, "dm");
    const first = await api("POST", "/dms", { token: a!.token, json: { handle: b!.handle } });
    expect(first.status).toBe(201);
    expect(first.body.channel).toMatchObject({ kind: "dm", title: "" });
    expect(first.body.channel.members.map((m: any) => m.id).sort()).toEqual([a!.user.id, b!.user.id].sort());
    const again = await api("POST", "/dms", { token: b!.token, json: { handle: a!.handle.toUpperCase() } });
    expect(again.status).toBe(200);
    expect(again.body.channel.id).toBe(first.body.channel.id);
  });

  it("refuses a DM with oneself (400) and with an unknown handle (404)", async () => {
    const a = await signup("self");
    expect((await api("POST", "/dms", { token: a.token, json: { handle: a.handle } })).status).toBe(400);
    expect((await api("POST", "/dms", { token: a.token, json: { handle: "nobody_at_all_x" } })).status).toBe(404);
  });
});

describe("groups", () => {
  it("creates a group with the creator as a member and shows it to members only", async () => {
    const [a, b, c] = await users(3, "gr");
    const channel = await group(a!, [b!], "Team");
    expect(channel).toMatchObject({ kind: "group", title: "Team" });
    expect(channel.members.map((m: any) => m.id)).toEqual([a!.user.id, b!.user.id]);
    expect((await api("GET", `/channels/${channel.id}`, { token: b!.token })).body.channel.id).toBe(channel.id);
    const outsider = await api("GET", `/channels/${channel.id}`, { token: c!.token });
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe("not_found");
  });

  it("answers 404 for a channel id that does not exist or cannot exist", async () => {
    const a = await signup("nx");
    expect((await api("GET", "/channels/g_AAAAAAAAAAAAAAAAAAAAAA", { token: a.token })).status).toBe(404);
    expect((await api("GET", "/channels/../../etc", { token: a.token })).status).toBe(404);
  });

  it("refuses more than 100 members at creation and on add with 409 member_limit", async () => {
    const people = await users(100, "lim");
    const [owner, ...rest] = people;
    const tooMany = await api("POST", "/channels", { token: owner!.token, json: { title: "Big", members: [...rest.map((u) => u.handle), (await signup("x")).handle] } });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe("member_limit");
    const full = await group(owner!, rest, "Full");
    expect(full.members).toHaveLength(100);
    const extra = await signup("extra");
    const add = await api("POST", `/channels/${full.id}/members`, { token: owner!.token, json: { handle: extra.handle } });
    expect(add.status).toBe(409);
    expect(add.body.error.code).toBe("member_limit");
    expect((await api("GET", `/channels/${full.id}`, { token: extra.token })).status).toBe(404);
  }, 60_000);

  it("adds a member who then sees the channel, and lets anyone leave", async () => {
    const [a, b, c] = await users(3, "add");
    const channel = await group(a!, [b!]);
    const added = await api("POST", `/channels/${channel.id}/members`, { token: b!.token, json: { handle: c!.handle } });
    expect(added.status).toBe(200);
    expect(added.body.channel.members).toHaveLength(3);
    expect((await api("DELETE", `/channels/${channel.id}/members/${c!.handle}`, { token: c!.token })).status).toBe(204);
    expect((await api("GET", `/channels/${channel.id}`, { token: c!.token })).status).toBe(404);
  });

  it("lets the creator remove anyone, but refuses others with 403", async () => {
    const [a, b, c] = await users(3, "rm");
    const channel = await group(a!, [b!, c!]);
    const refused = await api("DELETE", `/channels/${channel.id}/members/${c!.handle}`, { token: b!.token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await api("DELETE", `/channels/${channel.id}/members/${c!.handle}`, { token: a!.token })).status).toBe(204);
    expect((await api("GET", `/channels/${channel.id}`, { token: a!.token })).body.channel.members).toHaveLength(2);
  });

  it("refuses member changes in a DM", async () => {
    const [a, b, c] = await users(3, "dmm");
    const channel = await dm(a!, b!);
    expect((await api("POST", `/channels/${channel.id}/members`, { token: a!.token, json: { handle: c!.handle } })).status).toBe(400);
    expect((await api("DELETE", `/channels/${channel.id}/members/${b!.handle}`, { token: a!.token })).status).toBe(400);
  });
});

describe("messages over HTTP", () => {
  it("stores messages with gap-free seq and increasing ids, idempotent on clientMsgId", async () => {
    const [a, b] = await users(2, "hm");
    const channel = await dm(a!, b!);
    const first = await post(a!, channel.id, "hello", "c1");
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ seq: 1, channelId: channel.id, senderId: a!.user.id, body: "hello", clientMsgId: "c1" });
    const repeat = await post(a!, channel.id, "hello again?", "c1");
    expect(repeat.status).toBe(200);
    expect(repeat.body.message).toEqual(first.body.message);
    const second = await post(b!, channel.id, "hi", "c1");
    expect(second.body.message.seq).toBe(2);
    expect(BigInt(second.body.message.id) > BigInt(first.body.message.id)).toBe(true);
    const page = await api("GET", `/channels/${channel.id}/messages?after=0`, { token: b!.token });
    expect(page.body.messages.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(page.body.hasMore).toBe(false);
  });

  it("pages history after and before a seq", async () => {
    const [a, b] = await users(2, "pg");
    const channel = await dm(a!, b!);
    for (let i = 1; i <= 7; i++) await post(a!, channel.id, `m${i}`);
    const after = await api("GET", `/channels/${channel.id}/messages?after=2&limit=3`, { token: a!.token });
    expect(after.body.messages.map((m: any) => m.seq)).toEqual([3, 4, 5]);
    expect(after.body.hasMore).toBe(true);
    const before = await api("GET", `/channels/${channel.id}/messages?before=6&limit=3`, { token: a!.token });
    expect(before.body.messages.map((m: any) => m.seq)).toEqual([3, 4, 5]);
    expect(before.body.hasMore).toBe(true);
    const oldest = await api("GET", `/channels/${channel.id}/messages?before=3&limit=5`, { token: a!.token });
    expect(oldest.body.messages.map((m: any) => m.seq)).toEqual([1, 2]);
    expect(oldest.body.hasMore).toBe(false);
    const last = await api("GET", `/channels/${channel.id}/messages?after=5`, { token: a!.token });
    expect(last.body).toMatchObject({ hasMore: false });
    expect(last.body.messages.map((m: any) => m.seq)).toEqual([6, 7]);
  });

  it("refuses invalid bodies and queries with 400 and stores nothing", async () => {
    const [a, b] = await users(2, "bad");
    const channel = await dm(a!, b!);
    const cases = [
      { clientMsgId: "x", body: "   " },
      { clientMsgId: "x", body: "a".repeat(4001) },
      { clientMsgId: "", body: "ok" },
      { clientMsgId: "y".repeat(65), body: "ok" },
      { clientMsgId: 5, body: "ok" },
      { body: "ok" },
    ];
    for (const json of cases) {
      const res = await api("POST", `/channels/${channel.id}/messages`, { token: a!.token, json });
      expect(res.status, JSON.stringify(json).slice(0, 80)).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
    }
    for (const q of ["limit=0", "limit=201", "after=-1", "after=abc", "after=1&before=3"]) {
      expect((await api("GET", `/channels/${channel.id}/messages?${q}`, { token: a!.token })).status, q).toBe(400);
    }
    const page = await api("GET", `/channels/${channel.id}/messages`, { token: a!.token });
    expect(page.body.messages).toEqual([]);
  });

  it("accepts a body of exactly 4000 characters after trimming, stored as sent", async () => {
    const [a, b] = await users(2, "len");
    const channel = await dm(a!, b!);
    const body = `  ${"z".repeat(4000)}  `;
    const res = await post(a!, channel.id, body);
    expect(res.status).toBe(201);
    expect(res.body.message.body).toBe(body);
  });

  it("answers 404 to a non-member for history, send, read and socket", async () => {
    const [a, b, c] = await users(3, "nm");
    const channel = await dm(a!, b!);
    await post(a!, channel.id, "secret");
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: c!.token })).status).toBe(404);
    expect((await post(c!, channel.id, "let me in")).status).toBe(404);
    expect((await api("POST", `/channels/${channel.id}/read`, { token: c!.token, json: { seq: 1 } })).status).toBe(404);
    await expect(openSocket(`/channels/${channel.id}/socket`, c!.token)).rejects.toThrow(/404/);
    const page = await api("GET", `/channels/${channel.id}/messages`, { token: a!.token });
    expect(page.body.messages).toHaveLength(1);
  });

  it("limits sends per user per channel over HTTP and socket together, and repeats do not count", async () => {
    const [a, b] = await users(2, "rate");
    const channel = await dm(a!, b!);
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await ws.next("welcome");
    for (let i = 0; i < 15; i++) expect((await post(a!, channel.id, `h${i}`, `h${i}`)).status).toBe(201);
    for (let i = 0; i < 15; i++) {
      ws.send({ type: "send", clientMsgId: `s${i}`, body: `s${i}` });
      await ws.next("ack");
    }
    expect((await post(a!, channel.id, "again", "h3")).status).toBe(200);
    const limited = await post(a!, channel.id, "one too many");
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("rate_limited");
    expect(limited.body.error.retryAfterMs).toBeGreaterThan(0);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    ws.send({ type: "send", clientMsgId: "over", body: "over" });
    const err = await ws.next("error");
    expect(err).toMatchObject({ code: "rate_limited", clientMsgId: "over" });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect((await post(b!, channel.id, "the other user is not limited")).status).toBe(201);
    const page = await api("GET", `/channels/${channel.id}/messages?limit=200`, { token: a!.token });
    expect(page.body.messages).toHaveLength(31);
    ws.close();
  });
});

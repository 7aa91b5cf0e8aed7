import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../src/worker";
import { users } from "./helpers/channels";
import { BASE, type TestUser } from "./helpers/http";
import { eventually } from "./helpers/socket";

// MAX_CHANNELS_PER_USER, set low for these requests only: the real app and bindings, one extra variable.
const vars = { ...env, MAX_CHANNELS_PER_USER: "2" };

async function call(method: string, path: string, who: TestUser, json?: unknown) {
  const res = await app.request(
    `${BASE}/api${path}`,
    { method, headers: { Authorization: `Bearer ${who.token}`, "Content-Type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) },
    vars,
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

describe("MAX_CHANNELS_PER_USER", () => {
  it("refuses a new group or DM with 409 channel_limit once the creator is in the most channels", async () => {
    const [a, b, c, d] = await users(4, "chl");
    expect((await call("POST", "/channels", a!, { title: "one", members: [] })).status).toBe(201);
    expect((await call("POST", "/dms", a!, { handle: b!.handle })).status).toBe(201);
    const group = await call("POST", "/channels", a!, { title: "three", members: [c!.handle] });
    expect(group.status).toBe(409);
    expect(group.body.error.code).toBe("channel_limit");
    const dm = await call("POST", "/dms", a!, { handle: d!.handle });
    expect(dm.body.error.code).toBe("channel_limit");
    // Nothing was created for the others either.
    expect((await call("GET", "/channels", c!)).body.channels).toEqual([]);
    expect((await call("GET", "/channels", d!)).body.channels).toEqual([]);
    // An existing DM is still returned: asking again is not a new channel.
    const again = await call("POST", "/dms", b!, { handle: a!.handle });
    expect(again.status).toBe(200);
  });

  it("lets others put a user in groups and DMs past the limit without filling it: those do not count", async () => {
    const [a, b, c, victim] = await users(4, "chm");
    // Strangers add the victim to four channels, twice the limit.
    for (const stranger of [a!, b!]) {
      const g = await call("POST", "/channels", stranger, { title: "spam", members: [victim!.handle] });
      expect(g.status).toBe(201);
      expect((await call("POST", "/dms", stranger, { handle: victim!.handle })).status).toBe(201);
    }
    await eventually(async () => (await call("GET", "/channels", victim!)).body.channels.length === 4);
    // The victim still has the whole limit for channels of their own.
    expect((await call("POST", "/channels", victim!, { title: "mine 1", members: [] })).status).toBe(201);
    expect((await call("POST", "/channels", victim!, { title: "mine 2", members: [] })).status).toBe(201);
    expect((await call("POST", "/channels", victim!, { title: "mine 3", members: [] })).body.error.code).toBe("channel_limit");
    // A full user can still be added by others.
    const g = await call("POST", "/channels", c!, { title: "more", members: [] });
    expect((await call("POST", `/channels/${g.body.channel.id}/members`, c!, { handle: victim!.handle })).status).toBe(200);
  });

  it("counts a channel someone else put the user in once they speak in it", async () => {
    const [a, b] = await users(2, "chs");
    const g1 = (await call("POST", "/channels", a!, { title: "g1", members: [b!.handle] })).body.channel;
    const g2 = (await call("POST", "/channels", a!, { title: "g2", members: [b!.handle] })).body.channel;
    await eventually(async () => (await call("GET", "/channels", b!)).body.channels.length === 2);
    // Others added b to two groups: neither counts, so b can still create one of their own...
    for (const g of [g1, g2]) expect((await call("POST", `/channels/${g.id}/messages`, b!, { clientMsgId: crypto.randomUUID(), body: "hello" })).status).toBe(201);
    // ...until b's hub has heard that b spoke in both: then both count, and the limit of 2 is reached.
    await eventually(async () => (await call("GET", "/channels", b!)).body.channels.every((s: any) => s.lastSeq === 1));
    expect((await call("POST", "/channels", b!, { title: "b's", members: [] })).body.error?.code).toBe("channel_limit");
  });

  it("releases the count of a creation the room refuses after the hub reserved it", async () => {
    const [a, b] = await users(2, "chf");
    expect((await call("POST", "/dms", a!, { handle: b!.handle, encrypted: true, device: "a1" })).status).toBe(201);
    // b is not in a's encrypted DM yet (a commit adds them): the room refuses b's creation of it, after b's hub reserved it.
    for (let i = 0; i < 3; i++) expect((await call("POST", "/dms", b!, { handle: a!.handle, encrypted: true, device: "b1" })).body.error.code).toBe("conflict");
    // b still has the whole limit of 2.
    expect((await call("POST", "/channels", b!, { title: "one", members: [] })).status).toBe(201);
    expect((await call("POST", "/channels", b!, { title: "two", members: [] })).status).toBe(201);
    expect((await call("POST", "/channels", b!, { title: "three", members: [] })).body.error.code).toBe("channel_limit");
  });

  it("closes a DM: it leaves the inbox and the count, and a new message brings both back", async () => {
    const [a, b] = await users(2, "chc");
    const d = (await call("POST", "/dms", a!, { handle: b!.handle })).body.channel;
    expect((await call("POST", "/channels", a!, { title: "one", members: [] })).status).toBe(201);
    expect((await call("POST", "/channels", a!, { title: "two", members: [] })).body.error.code).toBe("channel_limit");
    await eventually(async () => (await call("GET", "/channels", a!)).body.channels.some((s: any) => s.channel.id === d.id));
    expect((await call("POST", `/channels/${d.id}/close`, a!)).status).toBe(204);
    expect((await call("GET", "/channels", a!)).body.channels.map((s: any) => s.channel.id)).not.toContain(d.id);
    expect((await call("POST", "/channels", a!, { title: "two", members: [] })).status).toBe(201);
    // The DM is still there for both: b writes, and it is back in a's inbox (and counts again).
    expect((await call("POST", `/channels/${d.id}/messages`, b!, { clientMsgId: "back", body: "are you there?" })).status).toBe(201);
    await eventually(async () => (await call("GET", "/channels", a!)).body.channels.some((s: any) => s.channel.id === d.id && s.unread === 1));
    expect((await call("POST", "/channels", a!, { title: "three", members: [] })).body.error.code).toBe("channel_limit");
  });

  it("reopens a closed DM when its member asks for it again, within the limit", async () => {
    const [a, b, c] = await users(3, "chr");
    const d = (await call("POST", "/dms", a!, { handle: b!.handle })).body.channel;
    await eventually(async () => (await call("GET", "/channels", a!)).body.channels.length === 1);
    expect((await call("POST", `/channels/${d.id}/close`, a!)).status).toBe(204);
    expect((await call("POST", "/channels", a!, { title: "g", members: [] })).status).toBe(201);
    const dc = (await call("POST", "/dms", a!, { handle: c!.handle })).body.channel;
    // Full again: reopening the closed DM is a channel more, so it meets the limit too.
    expect((await call("POST", "/dms", a!, { handle: b!.handle })).body.error.code).toBe("channel_limit");
    await eventually(async () => (await call("GET", "/channels", a!)).body.channels.some((s: any) => s.channel.id === dc.id));
    expect((await call("POST", `/channels/${dc.id}/close`, a!)).status).toBe(204);
    const again = await call("POST", "/dms", a!, { handle: b!.handle });
    expect(again.status).toBe(200);
    expect(again.body.channel.id).toBe(d.id);
    expect((await call("GET", "/channels", a!)).body.channels.map((s: any) => s.channel.id)).toContain(d.id);
  });

  it("closes only DMs the caller is in: a group is 400, another's DM 404", async () => {
    const [a, b, c] = await users(3, "chx");
    const g = (await call("POST", "/channels", a!, { title: "g", members: [] })).body.channel;
    const d = (await call("POST", "/dms", a!, { handle: b!.handle })).body.channel;
    await eventually(async () => (await call("GET", "/channels", a!)).body.channels.length === 2);
    expect((await call("POST", `/channels/${g.id}/close`, a!)).status).toBe(400);
    expect((await call("POST", `/channels/${d.id}/close`, c!)).status).toBe(404);
  });

  it("answers a non-member 404 on add, before any limit is considered", async () => {
    const [a, b, outsider] = await users(3, "chn");
    const group = await call("POST", "/channels", a!, { title: "g", members: [b!.handle] });
    const res = await call("POST", `/channels/${group.body.channel.id}/members`, outsider!, { handle: outsider!.handle });
    expect(res.status).toBe(404);
  });
});

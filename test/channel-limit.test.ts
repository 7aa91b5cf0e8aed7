import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { app } from "../src/worker";
import { users } from "./helpers/channels";
import { BASE, type TestUser } from "./helpers/http";

// MAX_CHANNELS_PER_USER, set low for these requests only: the real app and bindings, one extra variable.
const vars = { ...env, MAX_CHANNELS_PER_USER: "2" };

async function call(method: string, path: string, who: TestUser, json?: unknown) {
  const res = await app.request(
    `${BASE}/api${path}`,
    { method, headers: { Authorization: `Bearer ${who.token}`, "Content-Type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) },
    vars,
  );
  return { status: res.status, body: (await res.json()) as any };
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

  it("refuses a group or an added member when another member is in the most channels", async () => {
    const [a, b, full] = await users(3, "chm");
    await call("POST", "/channels", full!, { title: "f1", members: [] });
    await call("POST", "/channels", full!, { title: "f2", members: [] });
    const group = await call("POST", "/channels", a!, { title: "g", members: [b!.handle, full!.handle] });
    expect(group.status).toBe(409);
    expect(group.body.error).toMatchObject({ code: "channel_limit", message: expect.stringContaining(full!.handle) });

    const ok = await call("POST", "/channels", a!, { title: "g", members: [b!.handle] });
    expect(ok.status).toBe(201);
    const add = await call("POST", `/channels/${ok.body.channel.id}/members`, b!, { handle: full!.handle });
    expect(add.status).toBe(409);
    expect(add.body.error.code).toBe("channel_limit");
    expect((await call("GET", `/channels/${ok.body.channel.id}`, full!)).status).toBe(404);
    // Adding someone who is already a member is not a new channel for them.
    expect((await call("POST", `/channels/${ok.body.channel.id}/members`, b!, { handle: a!.handle })).status).toBe(200);
  });

  it("answers a non-member 404 on add, before any limit is considered", async () => {
    const [a, b, outsider] = await users(3, "chn");
    const group = await call("POST", "/channels", a!, { title: "g", members: [b!.handle] });
    const res = await call("POST", `/channels/${group.body.channel.id}/members`, outsider!, { handle: outsider!.handle });
    expect(res.status).toBe(404);
  });
});

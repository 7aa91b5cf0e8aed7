import { describe, expect, it } from "vitest";
import { dm, group, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { eventually } from "./helpers/socket";

const searchAll = (token: string, q: string, limit?: number) => api("GET", `/search?q=${encodeURIComponent(q)}${limit ? `&limit=${limit}` : ""}`, { token });

describe("search of all channels", () => {
  it("finds words in every channel I am in, grouped by channel, the most recently active first, and nothing from channels I am not in", async () => {
    const [ana, bo, eve] = await users(3, "sall");
    const word = `zebra${Date.now().toString(36)}`;
    const pair = await dm(ana!, bo!);
    const team = await group(ana!, [bo!], "Team");
    const secret = await group(bo!, [eve!], "Not Ana's");
    await post(bo!, pair.id, `a ${word} in the DM`);
    await post(bo!, secret.id, `a ${word} Ana must not see`);
    await post(ana!, team.id, `first ${word} in the group`);
    await post(bo!, team.id, `second ${word} in the group`);
    await post(bo!, team.id, "nothing to find");
    // The order is the inbox's, which hears of the last posts by the drain.
    const res = await eventually(async () => {
      const r = await searchAll(ana!.token, word);
      return r.body.results?.[0]?.channel.id === team.id && r;
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.channel.id)).toEqual([team.id, pair.id]);
    expect(res.body.results[0].messages.map((m: any) => m.body).sort()).toEqual([`first ${word} in the group`, `second ${word} in the group`]);
    expect(res.body.results[1].messages.map((m: any) => m.body)).toEqual([`a ${word} in the DM`]);
    expect(res.body.searched).toBe(2);
    expect(res.body.skipped).toBe(0);
  });

  it("gives at most `limit` hits per channel and says when a channel has more", async () => {
    const [ana] = await users(1, "slim");
    const word = `yak${Date.now().toString(36)}`;
    const solo = await group(ana!, [], "Solo");
    for (let i = 0; i < 4; i++) await post(ana!, solo.id, `${word} number ${i}`);
    const res = await searchAll(ana!.token, word, 3);
    expect(res.body.results[0].messages).toHaveLength(3);
    expect(res.body.results[0].hasMore).toBe(true);
    expect((await searchAll(ana!.token, word, 21)).status).toBe(400);
    expect((await searchAll(ana!.token, "x".repeat(257))).status).toBe(400);
  });

  it("skips end-to-end encrypted channels (the server holds no text) and says so", async () => {
    const [ana] = await users(1, "senc");
    const sealed = await api("POST", "/channels", { token: ana!.token, json: { title: "Sealed", members: [], encrypted: true, device: "d1" } });
    expect(sealed.status).toBe(201);
    const res = await searchAll(ana!.token, "anything");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ results: [], searched: 0, skipped: 1 });
  });

  it("is budgeted per user: past SEARCH_ALL_RATE_LIMIT a minute, 429 with Retry-After", async () => {
    const [ana] = await users(1, "sbud");
    const answers = await Promise.all(Array.from({ length: 40 }, () => searchAll(ana!.token, "anything")));
    expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(30);
    const refused = answers.find((a) => a.status !== 200)!;
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

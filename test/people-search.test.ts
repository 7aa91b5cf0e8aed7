import { describe, expect, it } from "vitest";
import { api, signup } from "./helpers/http";

const find = async (token: string, q: string) => api("GET", `/users?q=${encodeURIComponent(q)}`, { token });

describe("people search", () => {
  it("finds people by the start of their display name, ignoring case and accents, as well as by handle", async () => {
    const tag = Date.now().toString(36);
    const elodie = await signup("el", `Élodie ${tag}`);
    const other = await signup("ot", `Zed ${tag}`);
    for (const q of [`elodie ${tag}`, `ÉLO`, `élodie`]) {
      const res = await find(other.token, q);
      expect(res.status, q).toBe(200);
      expect(res.body.users.map((u: any) => u.id), q).toContain(elodie.user.id);
    }
    // "@" before a handle is what people type.
    expect((await find(other.token, `@${elodie.handle}`)).body.users.map((u: any) => u.id)).toEqual([elodie.user.id]);
    // The middle of a name is not its start.
    expect((await find(other.token, `odie ${tag}`)).body.users).toEqual([]);
  });

  it("lists handle matches first, each person once, at most 20, with only id, handle and display name", async () => {
    const tag = `pq${Date.now().toString(36)}`;
    // Handles start with the tag, and so do their display names: each must appear once.
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await signup(tag, `${tag} person ${i}`));
    const named = await signup("nm", `${tag}_by_name`);
    const res = await find(named.token, tag);
    const ids = res.body.users.map((u: any) => u.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 3).sort()).toEqual(made.map((m) => m.user.id).sort());
    expect(ids).toContain(named.user.id);
    for (const u of res.body.users) expect(Object.keys(u).sort()).toEqual(["displayName", "handle", "id"]);
  });

  it("a renamed person is found by the new name, not the old", async () => {
    const tag = Date.now().toString(36);
    const u = await signup("rn", `Oldname ${tag}`);
    await api("PATCH", "/me", { token: u.token, json: { displayName: `Ñewname ${tag}` } });
    expect((await find(u.token, `newname ${tag}`)).body.users.map((x: any) => x.id)).toEqual([u.user.id]);
    expect((await find(u.token, `oldname ${tag}`)).body.users).toEqual([]);
  });

  it("an empty query finds nobody, and a query over 32 characters is refused", async () => {
    const u = await signup("eq");
    expect((await find(u.token, "")).body.users).toEqual([]);
    expect((await find(u.token, "   ")).body.users).toEqual([]);
    expect((await find(u.token, "x".repeat(33))).status).toBe(400);
  });

  it("is budgeted per user: past USER_SEARCH_RATE_LIMIT a minute, 429 with Retry-After, and others still search", async () => {
    const u = await signup("bq");
    // At once, so the bucket (which refills two a second) barely refills meanwhile.
    const answers = await Promise.all(Array.from({ length: 140 }, () => find(u.token, "zz")));
    const ok = answers.filter((a) => a.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(120);
    expect(ok).toBeLessThan(140);
    const refused = answers.find((a) => a.status !== 200)!;
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await find((await signup("bo")).token, "zz")).status).toBe(200);
  }, 60_000);
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dm, group, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { del, edit, say, search } from "./helpers/messages";
import { toFtsQuery } from "../src/channel-room/search";

const bodies = async (u: TestUser, channelId: string, q: string, extra = ""): Promise<string[]> => {
  const res = await search(u, channelId, q, extra);
  expect(res.status, q).toBe(200);
  return res.body.messages.map((m: any) => m.body);
};

describe("channel search", () => {
  it("matches whole words only, any case and accent, and a trailing * matches a prefix", async () => {
    const [a, b] = await users(2, "sw");
    const channel = await dm(a!, b!);
    await say(a!, channel.id, "The cat sat");
    await say(b!, channel.id, "a category error");
    await say(a!, channel.id, "Café au lait");
    expect(await bodies(a!, channel.id, "cat")).toEqual(["The cat sat"]);
    expect(await bodies(a!, channel.id, "CAT")).toEqual(["The cat sat"]);
    expect((await bodies(a!, channel.id, "cat*")).sort()).toEqual(["The cat sat", "a category error"]);
    expect(await bodies(a!, channel.id, "categ")).toEqual([]);
    expect(await bodies(a!, channel.id, "cafe")).toEqual(["Café au lait"]);
  });

  it("needs every word, and ranks the best match first", async () => {
    const [a, b] = await users(2, "sr");
    const channel = await dm(a!, b!);
    await say(a!, channel.id, "apple pie with a long tail of other words that dilute the score a lot");
    await say(a!, channel.id, "apple apple apple");
    await say(a!, channel.id, "banana split");
    await say(a!, channel.id, "apple banana smoothie");
    expect(await bodies(a!, channel.id, "apple")).toEqual([
      "apple apple apple",
      "apple banana smoothie",
      "apple pie with a long tail of other words that dilute the score a lot",
    ]);
    expect(await bodies(a!, channel.id, "banana apple")).toEqual(["apple banana smoothie"]);
  });

  it("pages with limit and offset", async () => {
    const [a, b] = await users(2, "sp");
    const channel = await dm(a!, b!);
    for (let i = 0; i < 5; i++) await say(a!, channel.id, `needle number ${i}`);
    const page1 = await search(a!, channel.id, "needle", "&limit=2");
    expect(page1.body.messages).toHaveLength(2);
    expect(page1.body.hasMore).toBe(true);
    const page3 = await search(a!, channel.id, "needle", "&limit=2&offset=4");
    expect(page3.body.messages).toHaveLength(1);
    expect(page3.body.hasMore).toBe(false);
    const all = new Set<number>();
    for (const offset of [0, 2, 4]) for (const m of (await search(a!, channel.id, "needle", `&limit=2&offset=${offset}`)).body.messages) all.add(m.seq);
    expect(all.size).toBe(5);
  });

  it("never finds a deleted message, and finds an edited one by its new words only", async () => {
    const [a, b] = await users(2, "sd");
    const channel = await dm(a!, b!);
    const gone = await say(a!, channel.id, "secret plans");
    const changed = await say(a!, channel.id, "draft wording");
    await del(a!, channel.id, gone.seq);
    await edit(a!, channel.id, changed.seq, "final wording");
    expect(await bodies(a!, channel.id, "secret")).toEqual([]);
    expect(await bodies(a!, channel.id, "plans*")).toEqual([]);
    expect(await bodies(a!, channel.id, "draft")).toEqual([]);
    expect(await bodies(a!, channel.id, "final")).toEqual(["final wording"]);
  });

  it("answers 404 to a non-member and for an unknown channel, 400 to a missing or overlong q", async () => {
    const [a, b, c] = await users(3, "sn");
    const channel = await group(a!, [b!]);
    await say(a!, channel.id, "members only");
    expect((await search(c!, channel.id, "members")).status).toBe(404);
    expect((await search(a!, "g_doesnotexist123", "members")).status).toBe(404);
    expect((await api("GET", `/channels/${channel.id}/search`, { token: a!.token })).status).toBe(400);
    expect((await search(a!, channel.id, "x".repeat(257))).status).toBe(400);
    expect((await search(a!, channel.id, "members", "&limit=0")).status).toBe(400);
    expect((await search(a!, channel.id, "members", "&offset=-1")).status).toBe(400);
  });

  it("treats FTS5 syntax in a query as plain words and never fails on odd input", async () => {
    const [a, b] = await users(2, "so");
    const channel = await dm(a!, b!);
    await say(a!, channel.id, "NEAR the end, AND then OR not");
    await say(a!, channel.id, 'he said "hi" (quietly)');
    expect(await bodies(a!, channel.id, "NEAR")).toEqual(["NEAR the end, AND then OR not"]);
    expect(await bodies(a!, channel.id, "AND OR")).toEqual(["NEAR the end, AND then OR not"]);
    expect(await bodies(a!, channel.id, '"hi"')).toEqual(['he said "hi" (quietly)']);
    expect(await bodies(a!, channel.id, "(quietly")).toEqual(['he said "hi" (quietly)']);
    const odd = ["", " ", "*", "**", '"', '""', "(", ")", "NOT", "body:x", "x:y:z", "^", "-", "+", "a*b", "🎉", "\u0000", "\uFFFD", "'; DROP TABLE messages; --", "NEAR(a b, 2)", "{col}: x", "a AND", "%", "\\"];
    for (const q of odd) await bodies(a!, channel.id, q);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40, unit: "grapheme" }), async (q) => {
        const res = await search(a!, channel.id, q);
        return res.status === 200 && Array.isArray(res.body.messages);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});

describe("toFtsQuery", () => {
  it("quotes every word, doubles quotes, keeps only a trailing * and drops words without letters or digits", () => {
    expect(toFtsQuery('cat* "dog" NEAR (x) -- !!!')).toBe('"cat"* """dog""" "NEAR" "(x)"');
    expect(toFtsQuery("* ** ( )")).toBeNull();
    expect(toFtsQuery("a\u0000b")).toBe('"a" "b"');
  });
});

import { SELF } from "cloudflare:test";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../src/errors";
import { group, post, users } from "./helpers/channels";
import { anyJson, deepJson, hugeString, oddString, shapedLike } from "./helpers/fuzz";
import { api, BASE, type TestUser } from "./helpers/http";

// Property-based fuzzing of every HTTP endpoint: bodies (random JSON, wrong
// types, huge, deep, not JSON at all), path parameters and query strings (odd
// Unicode, invalid percent-encodings) and tokens. Never a 5xx, always the
// error shape of docs/protocol.md, and nothing stored by a refused request.

interface Endpoint {
  method: string;
  path: string;
  fields?: string[];
  query?: string[];
}

const ENDPOINTS: Endpoint[] = [
  { method: "POST", path: "/auth/signup", fields: ["handle", "password", "displayName"] },
  { method: "POST", path: "/auth/login", fields: ["handle", "password"] },
  { method: "PATCH", path: "/me", fields: ["displayName"] },
  { method: "GET", path: "/users", query: ["q"] },
  { method: "GET", path: "/users/:handle" },
  { method: "POST", path: "/dms", fields: ["handle"] },
  { method: "POST", path: "/channels", fields: ["title", "members"] },
  { method: "GET", path: "/channels/:id" },
  { method: "POST", path: "/channels/:id/members", fields: ["handle"] },
  { method: "DELETE", path: "/channels/:id/members/:handle" },
  { method: "GET", path: "/channels/:id/messages", query: ["after", "before", "limit"] },
  { method: "POST", path: "/channels/:id/messages", fields: ["clientMsgId", "body", "replyTo"] },
  { method: "POST", path: "/channels/:id/read", fields: ["seq"] },
  { method: "PATCH", path: "/channels/:id/messages/:seq", fields: ["body"] },
  { method: "DELETE", path: "/channels/:id/messages/:seq" },
  { method: "POST", path: "/channels/:id/messages/:seq/reactions", fields: ["emoji", "on"] },
  { method: "GET", path: "/channels/:id/changes", query: ["after", "through", "limit"] },
  { method: "GET", path: "/channels/:id/search", query: ["q", "limit", "offset"] },
  { method: "GET", path: "/inbox/missed", query: ["device"] },
  { method: "GET", path: "/presence", query: ["ids"] },
  { method: "GET", path: "/push/key" },
  { method: "POST", path: "/push/subscriptions", fields: ["device", "subscription"] },
  { method: "DELETE", path: "/push/subscriptions/:device" },
  { method: "GET", path: "/blocks" },
  { method: "POST", path: "/blocks", fields: ["handle"] },
  { method: "DELETE", path: "/blocks/:handle" },
  { method: "POST", path: "/channels/:id/close" },
];

/** Percent-encodes any string, lone surrogates included, and sometimes raw bytes that are not UTF-8. */
function encode(s: string): string {
  return [...s].map((ch) => (/^[A-Za-z0-9_.~-]$/.test(ch) ? ch : [...utf8(ch)].map((b) => `%${b.toString(16).padStart(2, "0")}`).join(""))).join("");
}
function utf8(ch: string): Uint8Array {
  const c = ch.codePointAt(0)!;
  // A lone surrogate gets its (invalid) three-byte form, as a sloppy client would send it.
  if (c >= 0xd800 && c <= 0xdfff) return new Uint8Array([0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]);
  return new TextEncoder().encode(ch);
}
const rawBytes = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, "0")}`).join(""));
const pathPart = (real: string[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: oddString.map(encode) }, { weight: 1, arbitrary: rawBytes }, {
    weight: 1,
    arbitrary: fc.constantFrom("0", "-1", "1.5", "1e3", "99999999999999999999", "%", "%zz", "..", "g_AAAAAAAAAAAA", "d_" + "a".repeat(80)),
  });

const bodyOf = (fields: string[]) =>
  fc.oneof(
    { weight: 5, arbitrary: shapedLike([], fields).map((o) => ({ raw: JSON.stringify(o), type: "application/json" })) },
    { weight: 2, arbitrary: anyJson.map((o) => ({ raw: JSON.stringify(o), type: "application/json" })) },
    { weight: 1, arbitrary: deepJson.map((raw) => ({ raw, type: "application/json" })) },
    { weight: 1, arbitrary: hugeString.map((s) => ({ raw: JSON.stringify({ [fields[0] ?? "x"]: s }), type: "application/json" })) },
    { weight: 1, arbitrary: oddString.map((raw) => ({ raw, type: "application/json" })) },
    { weight: 1, arbitrary: fc.constantFrom({ raw: undefined, type: undefined }, { raw: "a=1", type: "application/x-www-form-urlencoded" }, { raw: "{}", type: "text/plain" }) },
  );

/** Long values, near and past every length limit (a 50-byte LIKE cap was found this way). */
const repeated = fc
  .tuple(fc.oneof(fc.constantFrom("_", "%", "é", "🙂", "a", "\\"), oddString), fc.integer({ min: 8, max: 60 }))
  .map(([x, n]) => x.repeat(n).slice(0, 400));
const queryOf = (keys: string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), oddString), fc.oneof(oddString, repeated, fc.constantFrom("0", "1", "200", "201", "-1", "1.5", "", "a,b,,c")), { maxKeys: 4 }).map((q) =>
    Object.entries(q).map(([k, val]) => `${encode(k)}=${encode(val)}`).join("&"),
  );

function expectErrorShape(status: number, body: any, label: string) {
  expect(status, label).toBeLessThan(500);
  if (status < 400) return;
  expect(body, label).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect(ERROR_STATUS[body.error.code as keyof typeof ERROR_STATUS], `${label}: ${body.error.code}`).toBe(status);
}

describe("fuzzing every HTTP endpoint", () => {
  let a: TestUser;
  let b: TestUser;
  let channelId: string;
  const stored = new Set<string>(["seed"]);

  beforeAll(async () => {
    [a, b] = (await users(2, "fzh")) as [TestUser, TestUser];
    channelId = (await group(a, [b], "fuzzed")).id;
    await post(a, channelId, "the first message", "seed");
  });

  for (const e of ENDPOINTS) {
    it(`never answers ${e.method} ${e.path} with a 5xx, whatever the input`, async () => {
      const input = fc.record({
        id: pathPart([channelId]),
        seq: pathPart(["1", "2"]),
        handle: pathPart([b.handle, "nobody_here"]),
        device: pathPart(["d1", "phone"]),
        body: e.fields ? bodyOf(e.fields) : fc.constant({ raw: undefined, type: undefined }),
        query: queryOf(e.query ?? ["x"]),
      });
      await fc.assert(
        fc.asyncProperty(input, async (i) => {
          const path = e.path.replace(":id", i.id).replace(":seq", i.seq).replace(":handle", i.handle).replace(":device", i.device);
          const url = `${BASE}/api${path}${i.query ? `?${i.query}` : ""}`;
          const headers: Record<string, string> = { Authorization: `Bearer ${a.token}` };
          if (i.body.type) headers["Content-Type"] = i.body.type;
          const res = await SELF.fetch(url, { method: e.method, headers, body: i.body.raw });
          const text = await res.text();
          const label = `${e.method} ${url.slice(0, 160)} ${String(i.body.raw).slice(0, 120)} → ${res.status} ${text.slice(0, 160)}`;
          let body: any = null;
          if (text) expect(() => (body = JSON.parse(text)), label).not.toThrow();
          expectErrorShape(res.status, body, label);
          if (path.endsWith("/messages") && e.method === "POST" && res.status < 300) stored.add(body.message.clientMsgId);
        }),
        { numRuns: e.query ? 30 : 15 },
      );
    }, 60_000);
  }

  it("stored nothing for a refused request: every message in the channel was answered 2xx", async () => {
    const page = await api("GET", `/channels/${channelId}/messages?limit=200`, { token: a.token });
    expect(page.status).toBe(200);
    // Timeline lines ("Ana added Bo") are the member routes' own, written by the room, never by a send.
    for (const m of page.body.messages.filter((x: any) => !x.event)) expect(stored.has(m.clientMsgId), m.clientMsgId).toBe(true);
  });

  it("answers 401 to any forged or malformed token, never a 5xx", async () => {
    const latin1 = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 120 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(latin1, fc.base64String({ maxLength: 120 }), fc.constant(a.token.slice(0, -1) + (a.token.endsWith("A") ? "B" : "A"))), fc.constantFrom("/me", "/channels", `/channels/${channelId}/messages`), async (token, path) => {
        const res = await SELF.fetch(`${BASE}/api${path}`, { headers: { Authorization: `Bearer ${token}` } });
        const body = await res.json<any>();
        expect(res.status, token).toBe(401);
        expect(body.error.code).toBe("unauthorized");
      }),
      { numRuns: 30 },
    );
  });
});

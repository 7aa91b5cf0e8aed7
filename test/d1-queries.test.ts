import { env } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { group, post, users } from "./helpers/channels";
import { api, uniqueHandle } from "./helpers/http";
import { eventually, openSocket } from "./helpers/socket";

/**
 * Counts D1 statements wherever they are prepared: the Worker and the objects
 * share this test isolate's `env.DB`, so wrapping it here sees the UserHub's
 * queries as well as the Worker's.
 */
let queries: string[] = [];
const real = { withSession: env.DB.withSession.bind(env.DB), prepare: env.DB.prepare.bind(env.DB) };
function countingSession(session: D1DatabaseSession): D1DatabaseSession {
  return {
    prepare: (sql: string) => (queries.push(sql), session.prepare(sql)),
    batch: (statements: D1PreparedStatement[]) => session.batch(statements),
    getBookmark: () => session.getBookmark(),
  } as D1DatabaseSession;
}
beforeEach(() => {
  const db = env.DB as any;
  db.withSession = (b?: string) => countingSession(real.withSession(b));
  db.prepare = (sql: string) => (queries.push(sql), real.prepare(sql));
});
afterEach(() => {
  const db = env.DB as any;
  db.withSession = real.withSession;
  db.prepare = real.prepare;
});

async function counted<T>(run: () => Promise<T>): Promise<{ n: number; value: T }> {
  queries = [];
  const value = await run();
  return { n: queries.length, value };
}

describe("D1 queries per request kind (docs/capacity.md)", () => {
  it("signup 2, login 4, HTTP send 1, read 1, channel socket connect 1, inbox connect 2", async () => {
    const handle = uniqueHandle("count");
    const password = "correct horse battery";
    const signup = await counted(() => api("POST", "/auth/signup", { json: { handle, password, displayName: "Count" } }));
    expect(signup.value.status).toBe(201);
    expect(signup.n).toBe(2); // insert user, insert session
    const login = await counted(() => api("POST", "/auth/login", { json: { handle, password } }));
    expect(login.value.status).toBe(200);
    expect(login.n).toBe(4); // lockout check, credentials, clear failures, insert session

    const [b] = await users(1, "countb");
    const me = { user: login.value.body.user, token: login.value.body.token, handle, password };
    const channel = await group(me, [b!]);
    const send = await counted(() => post(me, channel.id, "hello"));
    expect(send.value.status).toBe(201);
    expect(send.n).toBe(1); // the session lookup; the message itself touches no D1
    const read = await counted(() => api("GET", `/channels/${channel.id}/messages?after=0`, { token: me.token }));
    expect(read.value.status).toBe(200);
    expect(read.n).toBe(1);

    const room = await counted(() => openSocket(`/channels/${channel.id}/socket`, me.token));
    await room.value.next("welcome");
    expect(room.n).toBe(1); // the session lookup, which also gives the expiry the room closes the socket at
    const inbox = await counted(async () => {
      const ws = await openSocket("/inbox/socket", b!.token);
      await ws.next("welcome");
      return ws;
    });
    expect(inbox.n).toBe(2); // the session lookup (with its expiry) and the hub reading its user's profile
    room.value.close();
    inbox.value.close();
  });

  it("keeps the message path free of D1: socket sends, fan-out and the drain into every member's hub", async () => {
    const [a, b, c] = await users(3, "nodb");
    const channel = await group(a!, [b!, c!]);
    const sender = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    const listener = await openSocket(`/channels/${channel.id}/socket`, b!.token);
    const inbox = await openSocket("/inbox/socket", c!.token);
    await Promise.all([sender.next("welcome"), listener.next("welcome"), inbox.next("welcome")]);
    queries = [];
    for (let i = 0; i < 10; i++) sender.send({ type: "send", clientMsgId: `m${i}`, body: `message ${i}` });
    for (let i = 0; i < 10; i++) await listener.next("message");
    // Delivered to the third member's hub (the drain) and on to their inbox.
    await eventually(async () => inbox.frames.filter((f) => f.type === "summary" || f.type === "unread" || f.type === "message").length > 0 || undefined);
    const summary = await api("GET", "/channels", { token: c!.token });
    await eventually(async () => {
      const s = (await api("GET", "/channels", { token: c!.token })).body.channels.find((x: any) => x.channel.id === channel.id);
      return s?.lastSeq === 10 || undefined;
    });
    expect(summary.status).toBe(200);
    // Only the two GET /channels above (one session lookup each, at least one poll) touched D1.
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.every((q) => /from "sessions"/.test(q))).toBe(true);
    [sender, listener, inbox].forEach((s) => s.close());
  });

  it("hands out a bookmark and refuses a malformed one without changing anything", async () => {
    const [a] = await users(1, "bm");
    const first = await api("GET", "/me", { token: a!.token });
    const bookmark = first.headers.get("X-D1-Bookmark");
    expect(bookmark).toMatch(/^[A-Za-z0-9_.:-]+$/);
    const renamed = await api("PATCH", "/me", { token: a!.token, json: { displayName: "Renamed" }, headers: { "X-D1-Bookmark": bookmark! } });
    expect(renamed.status).toBe(200);
    const after = renamed.headers.get("X-D1-Bookmark")!;
    // Read-your-writes: a read carrying the write's bookmark sees it (locally there is one copy, so this shows the round trip, not a replica's lag).
    const read = await api("GET", "/me", { token: a!.token, headers: { "X-D1-Bookmark": after } });
    expect(read.body.user.displayName).toBe("Renamed");
    const bad = await api("PATCH", "/me", { token: a!.token, json: { displayName: "Evil" }, headers: { "X-D1-Bookmark": "not a bookmark\u00e9" } });
    expect(bad.status).toBe(400);
    expect((await api("GET", "/me", { token: a!.token })).body.user.displayName).toBe("Renamed");
  });
});

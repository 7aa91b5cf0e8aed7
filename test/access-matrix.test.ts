import { SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { group, post, users } from "./helpers/channels";
import { api, BASE, type ApiResponse, type TestUser } from "./helpers/http";
import { eventually, openSocket } from "./helpers/socket";

// Every endpoint and frame under /channels/:id against every kind of outsider:
// a non-member, a removed member, a member who left, a logged-out token, a
// forged token. Each is refused, and learns nothing: outsiders get exactly
// the answer a channel that does not exist gets (404, docs/protocol.md).

/** A well-formed channel id that names no channel. */
const NO_SUCH_CHANNEL = "g_AAAAAAAAAAAAAAAAAAAAAA";

interface ChannelCall {
  name: string;
  run(token: string, channelId: string): Promise<ApiResponse>;
}

async function upgrade(token: string, path: string): Promise<ApiResponse> {
  const res = await SELF.fetch(`${BASE}/api${path}${path.includes("?") ? "&" : "?"}device=matrix`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `chat.v1, bearer.${token}` },
  });
  if (res.webSocket) {
    res.webSocket.accept();
    res.webSocket.close(1000, "done");
    return { status: res.status, body: null, headers: res.headers };
  }
  return { status: res.status, body: await res.json(), headers: res.headers };
}

let victim: TestUser;
const CHANNEL_CALLS: ChannelCall[] = [
  { name: "GET /channels/:id", run: (t, id) => api("GET", `/channels/${id}`, { token: t }) },
  // The control row renames to the title it has: changes nothing.
  { name: "PATCH /channels/:id", run: (t, id) => api("PATCH", `/channels/${id}`, { token: t, json: { title: "private" } }) },
  { name: "POST /channels/:id/members", run: (t, id) => api("POST", `/channels/${id}/members`, { token: t, json: { handle: victim.handle } }) },
  { name: "DELETE /channels/:id/members/:handle", run: (t, id) => api("DELETE", `/channels/${id}/members/${victim.handle}`, { token: t }) },
  { name: "GET /channels/:id/messages?after", run: (t, id) => api("GET", `/channels/${id}/messages?after=0`, { token: t }) },
  { name: "GET /channels/:id/messages?before", run: (t, id) => api("GET", `/channels/${id}/messages?before=9`, { token: t }) },
  { name: "POST /channels/:id/messages", run: (t, id) => api("POST", `/channels/${id}/messages`, { token: t, json: { clientMsgId: "intruder", body: "let me in" } }) },
  { name: "POST /channels/:id/read", run: (t, id) => api("POST", `/channels/${id}/read`, { token: t, json: { seq: 1 } }) },
  // Message 2 is the member's own, so the control row may react, edit and then delete it.
  { name: "POST /channels/:id/messages/:seq/reactions", run: (t, id) => api("POST", `/channels/${id}/messages/2/reactions`, { token: t, json: { emoji: "👀", on: true } }) },
  { name: "PATCH /channels/:id/messages/:seq", run: (t, id) => api("PATCH", `/channels/${id}/messages/2`, { token: t, json: { body: "rewritten" } }) },
  { name: "DELETE /channels/:id/messages/:seq", run: (t, id) => api("DELETE", `/channels/${id}/messages/2`, { token: t }) },
  { name: "GET /channels/:id/changes", run: (t, id) => api("GET", `/channels/${id}/changes?after=0`, { token: t }) },
  { name: "GET /channels/:id/search", run: (t, id) => api("GET", `/channels/${id}/search?q=secret`, { token: t }) },
  { name: "GET /channels/:id/socket", run: (t, id) => upgrade(t, `/channels/${id}/socket`) },
  // DMs only: a member closing this group gets 400, so the control row leaves it out.
  { name: "POST /channels/:id/close", run: (t, id) => api("POST", `/channels/${id}/close`, { token: t }) },
];

/** Endpoints outside a channel that need a session. */
const USER_CALLS: { name: string; run(token: string): Promise<ApiResponse> }[] = [
  { name: "GET /me", run: (t) => api("GET", "/me", { token: t }) },
  { name: "PATCH /me", run: (t) => api("PATCH", "/me", { token: t, json: { displayName: "Mallory" } }) },
  { name: "GET /users?q", run: (t) => api("GET", "/users?q=a", { token: t }) },
  { name: "GET /users/:handle", run: (t) => api("GET", `/users/${victim.handle}`, { token: t }) },
  { name: "POST /dms", run: (t) => api("POST", "/dms", { token: t, json: { handle: victim.handle } }) },
  { name: "POST /channels", run: (t) => api("POST", "/channels", { token: t, json: { title: "x", members: [] } }) },
  { name: "GET /channels", run: (t) => api("GET", "/channels", { token: t }) },
  { name: "GET /inbox/missed", run: (t) => api("GET", "/inbox/missed?device=d1", { token: t }) },
  { name: "GET /inbox/socket", run: (t) => upgrade(t, "/inbox/socket") },
  { name: "GET /presence", run: (t) => api("GET", `/presence?ids=${victim.user.id}`, { token: t }) },
  { name: "GET /push/key", run: (t) => api("GET", "/push/key", { token: t }) },
  { name: "POST /push/subscriptions", run: (t) => api("POST", "/push/subscriptions", { token: t, json: { device: "d1", subscription: { endpoint: "https://push.example/x", keys: { p256dh: "B".repeat(87), auth: "A".repeat(22) } } } }) },
  { name: "DELETE /push/subscriptions/:device", run: (t) => api("DELETE", "/push/subscriptions/d1", { token: t }) },
  { name: "GET /blocks", run: (t) => api("GET", "/blocks", { token: t }) },
  { name: "POST /blocks", run: (t) => api("POST", "/blocks", { token: t, json: { handle: victim.handle } }) },
  { name: "DELETE /blocks/:handle", run: (t) => api("DELETE", `/blocks/${victim.handle}`, { token: t }) },
  { name: "POST /auth/logout", run: (t) => api("POST", "/auth/logout", { token: t }) },
  { name: "POST /auth/logout-all", run: (t) => api("POST", "/auth/logout-all", { token: t }) },
];

describe("access control matrix", () => {
  let owner: TestUser;
  let member: TestUser;
  const outsiders: Record<string, TestUser> = {};
  let loggedOutToken: string;
  let channelId: string;

  beforeAll(async () => {
    const people = await users(6, "acl");
    [owner, member, victim] = people as [TestUser, TestUser, TestUser];
    const [stranger, removed, leaver] = people.slice(3) as [TestUser, TestUser, TestUser];
    channelId = (await group(owner, [member, victim, removed, leaver], "private")).id;
    await post(owner, channelId, "secret plans", "o1");
    await post(member, channelId, "more secret plans", "m1");
    expect((await api("DELETE", `/channels/${channelId}/members/${removed.handle}`, { token: owner.token })).status).toBe(204);
    expect((await api("DELETE", `/channels/${channelId}/members/${leaver.handle}`, { token: leaver.token })).status).toBe(204);
    Object.assign(outsiders, { "a non-member": stranger, "a removed member": removed, "a member who left": leaver });
    // A second session of a member, logged out: only that token dies.
    const login = await api("POST", "/auth/login", { json: { handle: member.handle, password: member.password } });
    loggedOutToken = login.body.token;
    expect((await api("POST", "/auth/logout", { token: loggedOutToken })).status).toBe(204);
  });

  it("lets a member through every call it refuses to others (the matrix's control row)", async () => {
    for (const call of CHANNEL_CALLS.filter((c) => !c.name.startsWith("DELETE /channels/:id/members") && c.name !== "POST /channels/:id/close")) {
      const res = await call.run(member.token, channelId);
      expect(res.status, call.name).toBeLessThan(300);
    }
    // Member changes are the creator's: the owner removes the victim, and adds them back.
    expect((await CHANNEL_CALLS.find((c) => c.name.startsWith("DELETE /channels/:id/members"))!.run(owner.token, channelId)).status).toBe(204);
    expect((await CHANNEL_CALLS.find((c) => c.name === "POST /channels/:id/members")!.run(owner.token, channelId)).status).toBe(200);
  });

  for (const who of ["a non-member", "a removed member", "a member who left"]) {
    it(`answers ${who} exactly as if the channel did not exist, on every endpoint`, async () => {
      const token = outsiders[who]!.token;
      for (const call of CHANNEL_CALLS) {
        const real = await call.run(token, channelId);
        const none = await call.run(token, NO_SUCH_CHANNEL);
        expect(real.status, call.name).toBe(404);
        expect(real.body, call.name).toEqual(none.body);
        expect(real.body.error.code, call.name).toBe("not_found");
      }
    });
  }

  for (const [who, token] of [
    ["a logged-out token", () => loggedOutToken],
    ["a forged token", () => "f".repeat(43)],
    ["a token one character off", () => member.token.slice(0, -1) + (member.token.endsWith("A") ? "B" : "A")],
    ["no token", () => ""],
  ] as const) {
    it(`refuses ${who} with 401 on every endpoint that needs a session`, async () => {
      for (const call of CHANNEL_CALLS) {
        const res = await call.run(token(), channelId);
        expect(res.status, call.name).toBe(401);
        expect(res.body.error.code, call.name).toBe("unauthorized");
      }
      for (const call of USER_CALLS) {
        const res = await call.run(token());
        expect(res.status, call.name).toBe(401);
        expect(res.body.error.code, call.name).toBe("unauthorized");
      }
    });
  }

  it("changed nothing for any refused call: messages, members and reactions are as the members left them", async () => {
    const page = await api("GET", `/channels/${channelId}/messages?after=0`, { token: owner.token });
    // Timeline lines: the setup's removal and leave, the control row's removal and re-add; none from an outsider.
    expect(page.body.messages.filter((m: any) => m.event).map((m: any) => [m.event.type, m.senderId])).toEqual([
      ["removed", owner.user.id],
      ["left", outsiders["a member who left"]!.user.id],
      ["removed", owner.user.id],
      ["added", owner.user.id],
    ]);
    page.body.messages = page.body.messages.filter((m: any) => !m.event);
    expect(page.body.messages.map((m: any) => [m.clientMsgId, m.senderId])).toEqual([
      ["o1", owner.user.id],
      ["m1", member.user.id],
      ["intruder", member.user.id], // the control row's send; no outsider's
    ]);
    const [first, second] = page.body.messages;
    expect(first).toMatchObject({ body: "secret plans" });
    expect(first.reactions ?? []).toEqual([]);
    expect(first.deleted).toBeUndefined();
    // The member's own reaction, edit and delete happened; no outsider's reaction was added before the delete.
    expect(second).toMatchObject({ deleted: true, body: "" });
    const channel = await api("GET", `/channels/${channelId}`, { token: owner.token });
    expect(channel.body.channel.members.map((m: any) => m.handle).sort()).toEqual([owner.handle, member.handle, victim.handle].sort());
  });

  it("accepts a token only in the Authorization header or the socket subprotocol, never in the URL", async () => {
    for (const q of ["token", "access_token", "bearer", "auth"]) {
      expect((await SELF.fetch(`${BASE}/api/me?${q}=${member.token}`)).status, q).toBe(401);
      const socket = await SELF.fetch(`${BASE}/api/channels/${channelId}/socket?device=d&${q}=${member.token}`, { headers: { Upgrade: "websocket" } });
      expect(socket.status, q).toBe(401);
    }
  });
});

describe("access control: sockets that outlive their right", () => {
  it("closes a removed member's socket with 4403, and a new one is refused like a stranger's", async () => {
    const [owner, member] = await users(2, "acs");
    const channelId = (await group(owner!, [member!], "g")).id;
    const ws = await openSocket(`/channels/${channelId}/socket`, member!.token);
    await ws.next("welcome");
    await api("DELETE", `/channels/${channelId}/members/${member!.handle}`, { token: owner!.token });
    expect((await ws.closed).code).toBe(4403);
    await expect(openSocket(`/channels/${channelId}/socket`, member!.token)).rejects.toThrow(/404/);
    // And it hears nothing more: the channel leaves its list.
    await post(owner!, channelId, "after you left", "after");
    await eventually(async () => !(await api("GET", "/channels", { token: member!.token })).body.channels.some((s: any) => s.channel.id === channelId));
  });

  it("closes every socket of a logged-out session with 4401 and keeps the user's other session", async () => {
    const [owner, member] = await users(2, "acl2");
    const channelId = (await group(owner!, [member!], "g")).id;
    const second = (await api("POST", "/auth/login", { json: { handle: member!.handle, password: member!.password } })).body.token;
    const channelSocket = await openSocket(`/channels/${channelId}/socket`, second);
    const inbox = await openSocket("/inbox/socket", second);
    const kept = await openSocket(`/channels/${channelId}/socket`, member!.token, "other");
    await Promise.all([channelSocket.next("welcome"), inbox.next("welcome"), kept.next("welcome")]);
    expect((await api("POST", "/auth/logout", { token: second })).status).toBe(204);
    expect((await channelSocket.closed).code).toBe(4401);
    expect((await inbox.closed).code).toBe(4401);
    await expect(openSocket(`/channels/${channelId}/socket`, second)).rejects.toThrow(/401/);
    kept.send({ type: "send", clientMsgId: "still", body: "still here" });
    expect((await kept.next("ack")).message.body).toBe("still here");
    kept.close();
  });

  it("refuses another member's message changes with 403 and leaves them as they were", async () => {
    const [author, other] = await users(2, "acm");
    const channelId = (await group(author!, [other!], "g")).id;
    await post(author!, channelId, "mine", "mine");
    const edit = await api("PATCH", `/channels/${channelId}/messages/1`, { token: other!.token, json: { body: "yours now" } });
    const del = await api("DELETE", `/channels/${channelId}/messages/1`, { token: other!.token });
    expect([edit.status, del.status]).toEqual([403, 403]);
    const ws = await openSocket(`/channels/${channelId}/socket`, other!.token);
    await ws.next("welcome");
    ws.send({ type: "edit", seq: 1, body: "over the socket then" });
    expect(await ws.next("error")).toMatchObject({ code: "forbidden", seq: 1 });
    ws.send({ type: "delete", seq: 1 });
    expect(await ws.next("error")).toMatchObject({ code: "forbidden", seq: 1 });
    const [m] = (await api("GET", `/channels/${channelId}/messages`, { token: author!.token })).body.messages;
    expect(m).toMatchObject({ body: "mine" });
    expect(m.deleted).toBeUndefined();
    ws.close();
  });
});

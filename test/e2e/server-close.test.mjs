// A close the service starts (4403 on leave and removal, 4401 on logout)
// reaches the client at once through `npm start`'s real port, with the `ws`
// library and in Chromium. The client sees the close frame at once either way;
// the close event needs the end of the connection too, which workerd held for
// 30 s or more before the Worker relayed sockets (src/sockets/relay.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { launchBrowser } from "./helpers/browser.mjs";
import { startService } from "./helpers/service.mjs";

/** The bound; the broken service took 30 s (ws's close timeout). */
const PROMPT_MS = 1_000;
const PASSWORD = "correct horse battery";
let service;
let browser;
let page;
let n = 0;

async function api(path, token, { method = "POST", body } = {}) {
  const res = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function person(name) {
  const handle = `${name}_${Date.now().toString(36)}${n++}`;
  const { token } = await api("/api/auth/signup", null, { body: { handle, password: PASSWORD, displayName: name } });
  return { handle, token };
}

/** Alice's group with Bob in it. */
async function groupWithBob() {
  const alice = await person("alice");
  const bob = await person("bob");
  const { channel } = await api("/api/channels", alice.token, { body: { title: "close", members: [bob.handle] } });
  return { alice, bob, channelId: channel.id };
}

const socketPath = (channelId) => `/api/channels/${channelId}/socket?device=d1`;

/** A `ws` socket, open and welcomed; `closed` resolves with the code and the ms since `mark()`. */
async function wsSocket(channelId, token) {
  const ws = new WebSocket(`${service.baseUrl.replace("http", "ws")}${socketPath(channelId)}`, ["chat.v1", `bearer.${token}`]);
  let t0 = 0;
  const closed = new Promise((resolve) => ws.on("close", (code) => resolve({ code, ms: Date.now() - t0 })));
  await new Promise((resolve, reject) => {
    ws.on("message", (d) => JSON.parse(String(d)).type === "welcome" && resolve());
    ws.on("error", reject);
  });
  return { mark: () => (t0 = Date.now()), closed, ws };
}

/** The same in Chromium's own WebSocket, against the real port (no proxy in between). */
async function browserSocket(channelId, token) {
  await page.evaluate(
    ([url, token]) =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, ["chat.v1", `bearer.${token}`]);
        window.testSocket = { ws, closed: new Promise((r) => ws.addEventListener("close", (e) => r({ code: e.code, at: Date.now() }))) };
        ws.addEventListener("message", (e) => JSON.parse(e.data).type === "welcome" && resolve());
        ws.addEventListener("error", () => reject(new Error("socket error")));
      }),
    [`${service.baseUrl.replace("http", "ws")}${socketPath(channelId)}`, token],
  );
  let t0 = 0;
  return {
    mark: () => (t0 = Date.now()),
    closed: page.evaluate(() => window.testSocket.closed).then(({ code, at }) => ({ code, ms: at - t0 })),
  };
}

async function assertPromptClose(socket, code, action) {
  socket.mark();
  await action();
  const outcome = await Promise.race([socket.closed, new Promise((r) => setTimeout(() => r({ code: "none", ms: 10_000 }), 10_000))]);
  assert.equal(outcome.code, code);
  assert.ok(outcome.ms < PROMPT_MS, `the close took ${outcome.ms} ms`);
}

const removal = ({ alice, bob, channelId }) => api(`/api/channels/${channelId}/members/${bob.handle}`, alice.token, { method: "DELETE" });
const leaving = ({ bob, channelId }) => api(`/api/channels/${channelId}/members/${bob.handle}`, bob.token, { method: "DELETE" });
const logout = ({ bob }) => api("/api/auth/logout", bob.token);

describe("server closes through the real port", () => {
  before(async () => {
    [service, browser] = await Promise.all([startService(), launchBrowser()]);
    page = await (await browser.newContext()).newPage();
    await page.goto(`${service.baseUrl}/`);
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
  });

  for (const [client, open] of [
    ["ws", wsSocket],
    ["Chromium", browserSocket],
  ]) {
    test(`${client}: a removed member's socket closes with 4403 at once`, async () => {
      const g = await groupWithBob();
      await assertPromptClose(await open(g.channelId, g.bob.token), 4403, () => removal(g));
    });
    test(`${client}: a member who leaves sees 4403 at once`, async () => {
      const g = await groupWithBob();
      await assertPromptClose(await open(g.channelId, g.bob.token), 4403, () => leaving(g));
    });
    test(`${client}: logout closes the session's socket with 4401 at once`, async () => {
      const g = await groupWithBob();
      await assertPromptClose(await open(g.channelId, g.bob.token), 4401, () => logout(g));
    });
  }

  test("ws: frames still flow both ways through the Worker's relay", async () => {
    const g = await groupWithBob();
    const bob = await wsSocket(g.channelId, g.bob.token);
    const alice = await wsSocket(g.channelId, g.alice.token);
    const got = new Promise((r) => bob.ws.on("message", (d) => JSON.parse(String(d)).type === "message" && r(JSON.parse(String(d)))));
    alice.ws.send(JSON.stringify({ type: "send", clientMsgId: "c1", body: "through the relay" }));
    assert.equal((await got).message.body, "through the relay");
    const pong = new Promise((r) => bob.ws.on("message", (d) => JSON.parse(String(d)).type === "pong" && r()));
    bob.ws.send(JSON.stringify({ type: "ping" }));
    await pong;
    alice.ws.close(1000);
    bob.mark();
    bob.ws.close(1000);
    assert.equal((await bob.closed).code, 1000);
  });
});

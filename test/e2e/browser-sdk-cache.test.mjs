// The SDK's IndexedDB cache in real Chromium, through the SDK in a page (the
// web app builds on the same calls): a reload with the network cut still
// shows the cached channel list and messages, marked offline, and the sync
// that follows once the network is back fetches only what is new.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import { buildSdk } from "../../scripts/build-web.mjs";
import { launchBrowser } from "./helpers/browser.mjs";
import { startService } from "./helpers/service.mjs";

/**
 * What the page runs after the SDK's script: one person's client with the
 * IndexedDB cache, its state read back as plain data.
 */
function openChat({ token, user, device, channelId }) {
  const sdk = window.sdk;
  const client = new sdk.ChatClient({ baseUrl: "", token, user, device, cache: sdk.openIdbCache(user.id) });
  const inbox = client.connectInbox();
  const room = client.channel(channelId);
  window.chat = () => ({
    connection: client.connection.value,
    channels: inbox.summaries.value.map((s) => s.channel.id),
    title: room.channel.value?.id ?? null,
    bodies: room.messages.value.map((m) => m.body),
    cursor: room.cursor.value,
    presence: inbox.presence.value.size,
  });
  window.cachedCursor = async () => (await (await sdk.openIdbCache(user.id)).loadChannel(channelId))?.cursor ?? null;
}

let service;
let browser;
let sdkDir;
let sdk;

async function signup(name) {
  const http = new sdk.HttpClient({ baseUrl: service.baseUrl });
  const { user, token } = await http.signup({ handle: `${name}_${Date.now().toString(36)}`, password: "correct horse battery", displayName: name });
  return { http, user, token };
}

async function until(page, what, predicate, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await page.evaluate(() => window.chat());
    if (predicate(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the SDK's cache in Chromium", { timeout: 120_000 }, () => {
  before(async () => {
    sdkDir = mkdtempSync(join(tmpdir(), "edge-chat-sdk-page-"));
    // The SDK as a classic script (window.sdk), so it runs in any page of the service's origin.
    const script = build({ entryPoints: ["src/client/index.ts"], bundle: true, format: "iife", globalName: "sdk", outfile: join(sdkDir, "sdk.js"), logLevel: "warning" });
    const [outfile, started, launched] = await Promise.all([buildSdk({ outfile: join(sdkDir, "sdk.mjs") }), startService(), launchBrowser(), script]);
    service = started;
    browser = launched;
    sdk = await import(outfile);
  });
  after(async () => {
    await browser?.close();
    await service?.stop();
    if (sdkDir) rmSync(sdkDir, { recursive: true, force: true });
  });

  test("a reload with the network cut still shows the cached channel and its messages, marked offline", async () => {
    const alice = await signup("alice");
    const bob = await signup("bob");
    const dm = await alice.http.openDm(bob.user.handle);
    for (let i = 1; i <= 3; i++) await alice.http.sendMessage(dm.id, { clientMsgId: `c-${i}`, body: `cached ${i}` });

    // A page of the service itself (the app's), so that Chromium lets it reach the service on 127.0.0.1.
    const context = await browser.newContext({ baseURL: service.baseUrl, bypassCSP: true });
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log("pageerror:", e.message));
    const script = readFileSync(join(sdkDir, "sdk.js"), "utf8");
    let offline = false;
    const sockets = new Set();
    const fetched = [];
    await page.routeWebSocket(/\/api\/.*socket/, (ws) => {
      if (offline) return void ws.close({ code: 1006, reason: "offline" });
      const server = ws.connectToServer();
      server.onMessage((data) => {
        const frame = JSON.parse(String(data));
        // A `frames` batch carries the history page beside the changes (the SDK opens with batch=2).
        for (const f of frame.type === "frames" ? frame.frames : [frame]) if (f.type === "history") fetched.push(...f.messages.map((m) => m.seq));
        ws.send(data);
      });
      sockets.add({ ws, server });
    });
    // With the network cut, the page itself comes from here (the app's service worker would serve it).
    await page.route(`${service.baseUrl}/`, (route) => (offline ? route.fulfill({ contentType: "text/html", body: "<!doctype html><title>offline</title>" }) : route.continue()));
    const session = { token: bob.token, user: bob.user, device: "web-cache-test", channelId: dm.id };
    const start = async () => {
      await page.addScriptTag({ content: script });
      await page.evaluate(openChat, session);
    };

    await page.goto("/");
    await start();
    await until(page, "the first sync", (s) => s.connection === "online" && s.cursor === 3 && s.channels.length === 1);
    await page.waitForFunction(() => window.cachedCursor().then((cursor) => cursor === 3));
    await page.waitForTimeout(400); // the inbox keeps its summaries at most every 200 ms

    offline = true;
    await context.setOffline(true);
    for (const { ws, server } of sockets) await Promise.all([ws.close({ code: 1006, reason: "network lost" }), server.close()]).catch(() => {});
    sockets.clear();
    await page.reload();
    await start();
    const shown = await until(page, "the cached channel", (s) => s.bodies.length === 3 && s.channels.length === 1 && s.connection === "offline", 5_000);
    assert.deepEqual(shown.bodies, ["cached 1", "cached 2", "cached 3"]);
    assert.deepEqual(shown.channels, [dm.id]);
    assert.equal(shown.title, dm.id, "the channel itself (title, members) is known from the cache");
    assert.equal(shown.presence, 0, "nobody's presence is known offline");

    await alice.http.sendMessage(dm.id, { clientMsgId: "c-4", body: "while bob was away" });
    offline = false;
    await context.setOffline(false);
    fetched.length = 0;
    await page.reload();
    await start();
    const back = await until(page, "the sync once the network is back", (s) => s.connection === "online" && s.cursor === 4);
    assert.deepEqual(back.bodies, ["cached 1", "cached 2", "cached 3", "while bob was away"]);
    assert.deepEqual(fetched, [4], "only the new message came over the socket");
    await context.close();
  });
});

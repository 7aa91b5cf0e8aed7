// The SDK's FrameSocket against a server that is newer than it: a `frames`
// batch (batch=2) whose elements the SDK checks one by one, so a kind it does
// not know costs only that element, never the acks and messages beside it.
// A plain ws server on 127.0.0.1 plays the newer server: the service itself
// never sends a kind its own SDK does not know. The schema is the test's own:
// what is pinned is FrameSocket's per-element check, whatever the schema (the
// SDK bundle does not export the protocol's, and a plain .mjs test cannot
// import the TypeScript one).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as v from "valibot";
import WebSocket, { WebSocketServer } from "ws";
import { buildSdk } from "../../scripts/build-web.mjs";

let sdk;
let sdkDir;
let server;

before(async () => {
  sdkDir = mkdtempSync(join(tmpdir(), "frame-socket-"));
  sdk = await import(await buildSdk({ outfile: join(sdkDir, "sdk.mjs") }));
  server = new WebSocketServer({ host: "127.0.0.1", port: 0, handleProtocols: (offered) => (offered.has(sdk.SOCKET_PROTOCOL) ? sdk.SOCKET_PROTOCOL : false) });
  await new Promise((r) => server.once("listening", r));
});
after(() => {
  server?.close();
  rmSync(sdkDir, { recursive: true, force: true });
});

const Frame = v.variant("type", [
  v.object({ type: v.literal("ack"), clientMsgId: v.string() }),
  v.object({ type: v.literal("message"), seq: v.number() }),
]);

test("a frames batch with one kind the SDK does not know still delivers every other frame, in order", async () => {
  server.once("connection", (ws) =>
    ws.send(JSON.stringify({ type: "frames", frames: [{ type: "ack", clientMsgId: "c1" }, { type: "from_a_newer_server", x: 1 }, { type: "message", seq: 7 }, { type: "message", seq: "eight" }] })),
  );
  const frames = [];
  const invalid = [];
  let socket;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no frames in 5 s")), 5_000);
    socket = new sdk.FrameSocket(
      `ws://127.0.0.1:${server.address().port}/`,
      "token",
      Frame,
      {
        onOpen() {},
        onFrame(frame) {
          frames.push(frame);
          if (frames.length === 2) (clearTimeout(timer), setTimeout(resolve, 50));
        },
        onInvalid: (item) => invalid.push(item),
        onClose() {},
      },
      { WebSocket, pingIntervalMs: 60_000 },
    );
  });
  socket.close();
  assert.deepEqual(frames, [{ type: "ack", clientMsgId: "c1" }, { type: "message", seq: 7 }]);
  assert.deepEqual(invalid, [{ type: "from_a_newer_server", x: 1 }, { type: "message", seq: "eight" }]);
});

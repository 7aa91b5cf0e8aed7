// The flooding member of bench/scenarios/flood.mjs, in its own thread: a
// flood answered with 60 KB history pages would otherwise hold the probe's
// event loop, and the benchmark would time its own lag, not the service's.
// It sends its frames as fast as its socket takes them and, like an attacker,
// opens a new socket whenever the service closes one (or refuses it, after a
// pause). Counts go back to the parent when told to stop.
import { parentPort, workerData } from "node:worker_threads";
import WebSocket from "ws";

const { url, token, framesPerTick = 50, tickMs = 5, startAfterMs = 0 } = workerData;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const counts = { sent: 0, refused: 0, answered: 0, sockets: 0, closedByServer: 0, upgradesRefused: 0 };
let running = true;
parentPort.on("message", (m) => m === "stop" && (running = false));

/** One socket: resolves when it ends. */
async function floodOnce(seqRef) {
  const ws = new WebSocket(url, ["chat.v1", `bearer.${token}`]);
  const opened = await new Promise((resolve) => {
    ws.once("message", () => resolve(true)); // the welcome
    ws.once("unexpected-response", () => (counts.upgradesRefused++, resolve(false)));
    ws.once("error", () => resolve(false));
  });
  if (!opened) return void ws.terminate();
  counts.sockets++;
  let closedByServer = false;
  ws.on("close", () => (closedByServer = running));
  ws.on("message", (d) => {
    // A substring, not JSON.parse: the flooder must stay cheaper than what it measures.
    const text = String(d);
    if (text.startsWith('{"type":"error"') && text.includes('"rate_limited"')) counts.refused++;
    else counts.answered++;
    if (seqRef.seq === undefined && text.startsWith('{"type":"ack"')) seqRef.seq = Number(/"seq":(\d+)/.exec(text)?.[1]);
  });
  if (seqRef.seq === undefined) {
    // A message of its own to edit and react to.
    ws.send(JSON.stringify({ type: "send", clientMsgId: "flood-target", body: "flood target" }));
    while (seqRef.seq === undefined && ws.readyState === WebSocket.OPEN) await sleep(5);
  }
  const seq = seqRef.seq;
  const frames = [
    { type: "typing" },
    { type: "edit", seq, body: "flooded edit" },
    { type: "react", seq, emoji: "🌊", on: true },
    { type: "react", seq, emoji: "🌊", on: false },
    { type: "sync", after: 0, limit: 200 },
    { type: "read", seq },
  ].map((f) => JSON.stringify(f));
  while (running && ws.readyState === WebSocket.OPEN) {
    // Back-pressure: a flooder that outruns its own socket measures the load generator, not the service.
    if (ws.bufferedAmount < 1 << 20) for (let i = 0; i < framesPerTick; i++) ws.send(frames[counts.sent++ % frames.length]);
    await sleep(tickMs);
  }
  if (closedByServer || ws.readyState !== WebSocket.OPEN) counts.closedByServer++;
  ws.close(1000);
}

const seqRef = {};
await sleep(startAfterMs);
while (running) {
  await floodOnce(seqRef);
  if (running) await sleep(100); // reconnect at once, as a script would (the upgrade budget answers the rest)
}
parentPort.postMessage(counts);

// The idle-cost experiment: does a socket's first frame (the service's
// welcome: the channel with 100 members, their presence and read markers,
// about 20 KB) stay in the runtime's memory after it was sent? The
// relay-only object opens N idle sockets over 10 rooms, once sending nothing
// and once a welcome of --bytes; resident memory per socket of the Worker's
// runtime for each.
//
//   npx node bench/idle-welcome.mjs [--sockets 1000] [--bytes 20000]
import WebSocket from "ws";
import { pool } from "./lib/connect.mjs";
import { directBaseUrl } from "./lib/direct.mjs";
import { startRelay } from "./lib/relay.mjs";
import { runtimeRssKiB } from "./lib/rss.mjs";

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const sockets = opt("--sockets", 1000);
const bytes = opt("--bytes", 20_000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function open(url, welcome) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, ["chat.v1"], { perMessageDeflate: !args.includes("--no-deflate") });
    ws.once("error", reject);
    if (welcome) ws.once("message", () => resolve(ws));
    else ws.once("open", () => resolve(ws));
  });
}

const relay = await startRelay();
try {
  const base = (await directBaseUrl(relay.pid, relay.baseUrl, "/api/channels/probe/socket")).replace("http", "ws");
  const out = {};
  for (const [label, size] of [["no welcome", 0], [`welcome of ${bytes} bytes`, bytes]]) {
    await sleep(3_000);
    const before = runtimeRssKiB(relay.pid).worker;
    const held = await pool(Array.from({ length: sockets }, (_, i) => i), 25, (i) => open(`${base}/api/channels/${label.replace(/\W/g, "")}-${i % 10}/socket?welcome=${size}`, size > 0));
    await sleep(3_000);
    const after = runtimeRssKiB(relay.pid).worker;
    out[label] = Math.round(((after - before) / sockets) * 10) / 10;
    console.log(`${label}: ${out[label]} KiB per socket in the Worker's runtime (${sockets} sockets)`);
    for (const ws of held) ws.terminate();
  }
  console.log(JSON.stringify({ sockets, bytes, perSocketKiB: out }));
} finally {
  await relay.stop();
}

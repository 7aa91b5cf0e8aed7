// Runtime cost per fan-out, without the SDK: N raw `ws` sockets on one
// channel (the service's ChannelRoom or the relay-only object), `senders` of
// them sending `rate` frames/s; prints CPU ms per message of each process of
// the target and of this client. A cheap client leaves both cores to the
// target, so the two objects are compared under the same load.
//
//   node bench/raw-fanout.mjs relay|service [--direct] [--rate 100] [--seconds 10] [--members 100]
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { groupCpuByProcess } from "./lib/cpu.mjs";
import { directBaseUrl } from "./lib/direct.mjs";
import { startRelay } from "./lib/relay.mjs";
import { cleanSdk } from "./lib/sdk.mjs";
import { serviceTarget } from "./lib/targets.mjs";

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const which = args[0];
const members = opt("--members", 100);
const senders = opt("--senders", 10);
const rate = opt("--rate", 100);
const seconds = opt("--seconds", 10);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const target = which === "service" ? await serviceTarget() : await startRelay();
const watchdog = setTimeout(() => (console.error("over budget"), target.stop().then(() => process.exit(1))), 240_000);
try {
  let people = Array.from({ length: members }, (_, i) => ({ token: `t${i}` }));
  let channelId = `room${Date.now()}`;
  if (which === "service") {
    people = await target.users(members);
    channelId = await target.group(people);
  }
  const base = args.includes("--direct") ? await directBaseUrl(target.pid, target.baseUrl, which === "service" ? "/api/me" : "/api/channels/probe/socket") : target.baseUrl;
  const url = `${base.replace("http", "ws")}/api/channels/${channelId}/socket`;
  let received = 0;
  let acked = 0;
  const socks = [];
  for (const p of people) {
    const ws = new WebSocket(`${url}?device=d${socks.length}`, ["chat.v1", `bearer.${p.token}`]);
    await new Promise((resolve, reject) => {
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => reject(new Error(`upgrade refused: ${res.statusCode} ${body}`)));
      });
      if (which === "service") ws.once("message", resolve); // the welcome
      else ws.once("open", resolve);
    });
    ws.on("message", (data) => {
      const s = String(data);
      if (s.startsWith('{"type":"ack"')) acked++;
      else received++;
    });
    socks.push(ws);
  }
  const cpu0 = groupCpuByProcess(target.pid);
  const own0 = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  const total = Math.round(rate * seconds);
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) socks[sent % senders].send(JSON.stringify({ type: "send", clientMsgId: `m${sent}-${Date.now()}`, body: "x".repeat(64) }));
    await sleep(4);
  }
  const expected = total * (members - 1);
  const until = performance.now() + 30_000;
  while (received < expected && performance.now() < until) await sleep(50);
  const lagMs = Math.round(performance.now() - start - seconds * 1000);
  const cpu1 = groupCpuByProcess(target.pid);
  const own = process.cpuUsage(own0);
  const per = {};
  for (const [k, v] of Object.entries(cpu1)) {
    const ms = ((v - (cpu0[k] ?? 0)) * 1000) / total;
    if (ms > 0.005) per[k.split(":")[0]] = Math.round(((per[k.split(":")[0]] ?? 0) + ms) * 100) / 100;
  }
  console.log(JSON.stringify({ which, direct: args.includes("--direct"), members, rate, sent: total, expected, received, acked, drainLagMs: lagMs, cpuMsPerMessage: per, clientMs: Math.round(((own.user + own.system) / 1000 / total) * 100) / 100 }));
  for (const ws of socks) ws.terminate();
} finally {
  clearTimeout(watchdog);
  await target.stop();
  cleanSdk();
}

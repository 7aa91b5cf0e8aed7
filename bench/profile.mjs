// A CPU profile of the Worker's runtime (every object of the service shares
// one thread locally) while a 100-member group takes paced load from raw ws
// sockets: self time per function, grouped by where the code lives (the
// room, the hub, drizzle, valibot, the runtime). Through wrangler dev's
// inspector (Chrome DevTools protocol, Profiler domain).
//
//   npx node bench/profile.mjs [--rate 100] [--seconds 5] [--members 100] [--inbox] [--flood]
//   (--inbox: members hold inbox sockets, not channel ones; --flood: one more member floods the channel, as in scenarios/flood.mjs)
//   PROFILE_TIMELINE=50: also what held the thread in each busy 50 ms slice; FLOOD_AFTER_MS=2000: the flood starts that far in
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import WebSocket from "ws";
import { groupMembers } from "../test/e2e/helpers/service.mjs";
import { paced } from "./lib/load.mjs";
import { closeRaw, openRawGroup, openRawSocket, rawProbe } from "./lib/raw-load.mjs";
import { cleanSdk } from "./lib/sdk.mjs";
import { summarize } from "./lib/stats.mjs";
import { serviceTarget } from "./lib/targets.mjs";

const args = process.argv.slice(2);
const opt = (name, d) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : d);
const rate = opt("--rate", 100);
const seconds = opt("--seconds", 5);
const memberCount = opt("--members", 100);
const inboxMode = args.includes("--inbox");
const floodMode = args.includes("--flood");

function inspectorPort(pgid) {
  for (const pid of groupMembers(pgid)) {
    try {
      const m = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").match(/--inspector-port (\d+)/);
      if (m) return Number(m[1]);
    } catch {
      // gone
    }
  }
  throw new Error("no inspector port found");
}

/** A minimal CDP session: send(method, params) → result. */
async function cdp(url) {
  const ws = new WebSocket(url);
  await new Promise((res, rej) => (ws.once("open", res), ws.once("error", rej)));
  let id = 0;
  const waiting = new Map();
  ws.on("message", (d) => {
    const msg = JSON.parse(String(d));
    if (msg.id && waiting.has(msg.id)) (waiting.get(msg.id)(msg), waiting.delete(msg.id));
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const n = ++id;
        waiting.set(n, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result)));
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

function where(frame) {
  const url = frame.url || "";
  const fn = frame.functionName || "(anonymous)";
  if (!url) return fn.startsWith("(") ? fn : "runtime (native)";
  for (const [re, name] of [
    [/channel-room\//, "room"],
    [/user-hub\//, "hub"],
    [/drizzle-orm/, "drizzle"],
    [/valibot/, "valibot"],
    [/hono/, "hono"],
    [/src\/(sockets|protocol|http|accounts|push)\//, "worker (other src)"],
  ]) {
    if (re.test(url)) return name;
  }
  return url.includes("node_modules") ? "other libraries" : "worker (other)";
}

// BENCH_VARS (JSON): Worker variables for the profiled service, as in bench/run.mjs (e.g. {"SOCKET_RELAY":"off"}).
const target = await serviceTarget({ vars: JSON.parse(process.env.BENCH_VARS ?? "{}") });
const watchdog = setTimeout(() => (console.error("over budget"), target.stop().then(() => process.exit(1))), 300_000);
try {
  const everyone = await target.users(memberCount + (floodMode ? 1 : 0));
  const people = everyone.slice(0, memberCount);
  const channelId = await target.group(everyone, "profiled");
  const senders = 10;
  const listeners = inboxMode
    ? await Promise.all(people.slice(senders).map((m, i) => openRawSocket(target.inboxUrl(`p${i}`), m.token).then((ws) => ({ ws }))))
    : await openRawGroup(target, people.slice(senders), channelId, { device: "listener" });
  const conns = await openRawGroup(target, people.slice(0, senders), channelId, { device: "sender" });
  const port = inspectorPort(target.pid);
  const list = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const session = await cdp(list[0].webSocketDebuggerUrl);
  await session.send("Profiler.enable");
  await session.send("Profiler.setSamplingInterval", { interval: 200 });
  const flood = floodMode
    ? new Worker(new URL("./lib/flood-worker.mjs", import.meta.url), {
        // FLOOD_AFTER_MS: the flood starts that long into the profile (its first instant, apart from the room's cold start).
        workerData: { url: `${target.baseUrl.replace("http", "ws")}/api/channels/${channelId}/socket?device=flood`, token: everyone[memberCount].token, startAfterMs: Number(process.env.FLOOD_AFTER_MS ?? 0) },
      })
    : null;
  const floodCounts = flood && new Promise((resolve) => flood.once("message", resolve));
  await session.send("Profiler.start");
  const p = rawProbe(inboxMode ? conns : [...conns, ...listeners]);
  const sent = await paced(p, conns, rate, seconds * 1000);
  await p.settle(inboxMode ? 0 : sent * (memberCount - 1), 10_000);
  const { profile } = await session.send("Profiler.stop");
  if (flood) {
    flood.postMessage("stop");
    console.log("flood:", JSON.stringify(await floodCounts));
    await flood.terminate();
  }
  session.close();
  p.stop();
  closeRaw([...conns, ...listeners]);

  // Self time per node, from sample counts and time deltas.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const byPlace = new Map();
  const byFn = new Map();
  let total = 0;
  for (const [id, ms] of self) {
    const f = byId.get(id).callFrame;
    const place = where(f);
    total += ms;
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
    const key = `${place}: ${f.functionName || "(anonymous)"} ${(f.url || "").split("/").slice(-2).join("/")}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
  }
  const busy = total - (byPlace.get("(idle)") ?? 0);
  const row = ([k, ms]) => `  ${(Math.round(ms * 10) / 10).toString().padStart(8)} ms  ${((100 * ms) / busy).toFixed(1).padStart(5)}%  ${(Math.round((ms / sent) * 1000) / 1000).toString().padStart(6)} ms/msg  ${k}`;
  console.log(`\n${sent} messages at ${rate} msg/s into ${memberCount} members (${inboxMode ? "inbox sockets" : "channel sockets"}); delivery p50/p99 ${inboxMode ? "-" : `${summarize(p.delivery).p50}/${summarize(p.delivery).p99}`} ms, ack p99 ${summarize(p.ack).p99} ms`);
  console.log(`profiled ${Math.round(total)} ms, busy (not idle) ${Math.round(busy)} ms\n\nself time by place (share of busy time):`);
  for (const r of [...byPlace].sort((a, b) => b[1] - a[1])) console.log(row(r));
  // Inclusive time of the entry points (what each object method costs with everything it calls).
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [id, ms] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      if (!f.url.includes("worker.js")) continue;
      const key = `${f.functionName || "(anonymous)"}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
  console.log("\ninclusive time (with callees), top 25:");
  for (const r of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(row(r));
  // Who calls the functions named in PROFILE_CALLERS (comma-separated), by the caller's name.
  for (const name of (process.env.PROFILE_CALLERS ?? "").split(",").filter(Boolean)) {
    const callers = new Map();
    for (const [id, ms] of self) {
      let cur = id;
      while (cur !== undefined && byId.get(cur).callFrame.functionName !== name) cur = parent.get(cur);
      if (cur === undefined) continue;
      const up = [];
      for (let c = parent.get(cur); c !== undefined && up.length < 3; c = parent.get(c)) up.push(byId.get(c).callFrame.functionName || "(anon)");
      const key = up.join(" < ");
      callers.set(key, (callers.get(key) ?? 0) + ms);
    }
    console.log(`\ncallers of ${name}:`);
    for (const r of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(row(r));
  }
  // PROFILE_TIMELINE=ms: busy time per slice of that many ms, by entry point (the outermost function of
  // the Worker's code on the stack), for slices over half busy: what held the thread when latency spiked.
  const slice = Number(process.env.PROFILE_TIMELINE ?? 0);
  if (slice > 0) {
    const entryOf = (id) => {
      let entry = "(runtime)";
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur).callFrame;
        if (f.url.includes("worker.js")) entry = `${f.functionName || "(anonymous)"}:${f.lineNumber + 1}`;
      }
      return entry;
    };
    const slices = new Map();
    let t = 0;
    for (let i = 0; i < profile.samples.length; i++) {
      t += (profile.timeDeltas[i] ?? 0) / 1000;
      const node = byId.get(profile.samples[i]);
      if (node.callFrame.functionName === "(idle)") continue;
      const k = Math.floor(t / slice);
      const bySlice = slices.get(k) ?? new Map();
      const e = entryOf(node.id);
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
      bySlice.set(e, (bySlice.get(e) ?? 0) + ms);
      // ...and, apart, the functions that ran (self time), to say what the entry point was doing.
      const f = `  self ${node.callFrame.functionName || "(anonymous)"}:${node.callFrame.lineNumber + 1}`;
      bySlice.set(f, (bySlice.get(f) ?? 0) + ms);
      slices.set(k, bySlice);
    }
    console.log(`\ntimeline (${slice} ms slices over half busy; busy ms by entry point):`);
    for (const [k, by] of [...slices].sort((a, b) => a[0] - b[0])) {
      const entries = [...by].filter(([e]) => !e.startsWith("  self "));
      const busyMs = entries.reduce((a, [, ms]) => a + ms, 0);
      if (busyMs < slice / 2) continue;
      const top = (list) => list.sort((a, b) => b[1] - a[1]).slice(0, 4).map(([e, ms]) => `${e.replace("  self ", "")} ${Math.round(ms)}`).join(", ");
      console.log(`  ${String(k * slice).padStart(6)} ms  busy ${Math.round(busyMs)}  ${top(entries)}  | self: ${top([...by].filter(([e]) => e.startsWith("  self ")))}`);
    }
  }
  console.log("\ntop functions:");
  for (const r of [...byFn].filter(([k]) => !k.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(row(r));
} finally {
  clearTimeout(watchdog);
  await target.stop();
  cleanSdk();
}

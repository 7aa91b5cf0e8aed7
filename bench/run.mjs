// `npm run bench`: the service (npm start on 127.0.0.1, fresh state) against
// two anchors in the same run: a store-and-relay Durable Object (bench/relay,
// wrangler dev like the service: one SQLite insert per frame, then relay) and
// a bare ws broadcast server; plus a relay-only object for idle cost. Group,
// sweep, 1:1 and inbox load come from raw `ws` sockets (lib/raw-load.mjs),
// catch-up and idle from the client SDK. Prints a line per phase and a table
// at the end; writes bench/results/*.json and a latency chart (SVG). Stops
// everything it started.
//
//   node bench/run.mjs                 full run (about 11 to 13 minutes)
//   node bench/run.mjs --smoke         tiny counts, a few seconds of load: checks that it completes
//   node bench/run.mjs --only group,sweep
//   node bench/run.mjs --only web      the web app with 2,000 messages loaded (bench/web-paint.mjs)
//   node bench/run.mjs --rates 20,100  the group's rates (default 20,100,300)
//   node bench/run.mjs --rounds 5      the group's rounds (default 3): every target at every rate, interleaved, samples pooled
//   node bench/run.mjs --results-dir DIR   write the JSON and SVG there instead of bench/results
//   node bench/run.mjs --disk          keep the service's state on disk, not tmpfs (see lib/targets.mjs)
//   node bench/run.mjs --reference     also writes bench/results/reference-<host>.json and bench/reference-latency.svg
//   BENCH_VARS='{"SYNC_RATE_LIMIT":"20"}' node bench/run.mjs ...   Worker variables for the service (experiments)
//
// A scenario is a function (target, people, channelId, options) run on each
// target it names in SCENARIOS below; add one there.
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { startRelay } from "./lib/relay.mjs";
import { cleanSdk } from "./lib/sdk.mjs";
import { ratios } from "./lib/stats.mjs";
import { printTable, checkTargets } from "./lib/report.mjs";
import { baselineTarget, serviceTarget, storeRelayTarget } from "./lib/targets.mjs";
import { attachments } from "./scenarios/attachments.mjs";
import { catchUp } from "./scenarios/catch-up.mjs";
import { floodBesideGroup } from "./scenarios/flood.mjs";
import { groupRounds } from "./scenarios/group.mjs";
import { idleRelay, idleService } from "./scenarios/idle.mjs";
import { inboxFanOut } from "./scenarios/inbox.mjs";
import { manyRooms } from "./scenarios/many-rooms.mjs";
import { oneToOne } from "./scenarios/one-to-one.mjs";
import { sweep } from "./scenarios/sweep.mjs";

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const reference = args.includes("--reference");
const disk = args.includes("--disk");
const option = (name) => {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  return i < 0 ? undefined : args[i].includes("=") ? args[i].slice(name.length + 1) : args[i + 1];
};
const only = option("--only")?.split(",") ?? null;
const wants = (name) => !only || only.includes(name);
// `--only web`: the web app's paint costs in Chromium (bench/web-paint.mjs starts its own service and browser).
if (only?.includes("web")) {
  await import("./web-paint.mjs");
  process.exit(0);
}

const rates = option("--rates")?.split(",").map(Number);
const rounds = option("--rounds") === undefined ? undefined : Number(option("--rounds"));
const FULL = {
  users: 100,
  oneToOne: { roundTrips: 500 },
  group: { senders: 10, rates: rates ?? [20, 100, 300], rounds: rounds ?? 3, durationMs: 6_000, settleMs: 10_000, warmUp: { rate: 20, durationMs: 2_000 } },
  sweep: { rates: [20, 50, 100, 150, 200, 300, 400, 600, 800, 1000], senders: 10, stepMs: 3_000, settleMs: 3_000, p99BoundMs: 100 },
  catchUp: { messages: 10_000, repeats: 5 },
  flood: { senders: 10, rate: 20, durationMs: 10_000, settleMs: 10_000 },
  inbox: { senders: 10, rate: 100, durationMs: 5_000, settleMs: 10_000 },
  idle: { counts: [1000, 5000], channels: 10, waitMs: 3_000 },
  manyRooms: { channels: 1000, roomSize: 5, rate: 200, durationMs: 10_000, settleMs: 15_000, busy: { senders: 10, rate: 100 } },
  attachments: { sizeMiB: 10, repeats: 5, image: { width: 4000, height: 3000 }, thumbs: 3 },
  deadlineMs: 25 * 60_000,
};
const SMOKE = {
  users: 4,
  oneToOne: { roundTrips: 10 },
  group: { senders: 2, rates: rates ?? [20], rounds: rounds ?? 2, durationMs: 1_000, settleMs: 5_000, warmUp: { rate: 10, durationMs: 300 } },
  sweep: { rates: [20, 40], senders: 2, stepMs: 1_000, settleMs: 5_000, p99BoundMs: 1_000 },
  catchUp: { messages: 300, repeats: 1 },
  flood: { senders: 2, rate: 10, durationMs: 1_000, settleMs: 5_000 },
  inbox: { senders: 2, rate: 20, durationMs: 1_000, settleMs: 5_000 },
  idle: { counts: [8, 16], channels: 2, waitMs: 300 },
  manyRooms: { channels: 4, roomSize: 2, rate: 20, durationMs: 1_000, settleMs: 5_000, busy: { senders: 2, rate: 10 } },
  attachments: { sizeMiB: 1, repeats: 1, image: { width: 400, height: 300 }, thumbs: 1 },
  deadlineMs: 5 * 60_000,
};
const config = smoke ? SMOKE : FULL;

const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const log = (line) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${line}`);
const stoppers = [];
let stopping = false;

async function stopAll() {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(stoppers.reverse().map((stop) => stop()));
  cleanSdk();
}

// A bench that overruns its budget or is interrupted still stops what it started.
// A run that overruns still writes what it measured (see report() below).
let overran = false;
const watchdog = setTimeout(async () => {
  console.error(`[bench] over its ${config.deadlineMs / 60_000} min budget: stopping, writing what was measured`);
  overran = true;
  await stopAll();
  report(new Error("over its time budget"));
  process.exit(1);
}, config.deadlineMs);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

const targets = {};
const people = {};
const groups = {};
const scenarios = {};
const result = {};

/** Runs a scenario on each of `on` in turn (anchors first), keyed by target name. */
async function across(name, on, run) {
  const out = {};
  for (const t of on) {
    log(`${name}: ${t}`);
    out[t] = await run(targets[t]);
  }
  return out;
}

/** Ratios of the service's latency summaries to each anchor's: ratio.storeRelay.ack.p99 and so on. */
function withRatios(res, keys, get = (r) => r) {
  res.ratio = {};
  for (const anchor of Object.keys(res).filter((k) => k !== "service" && k !== "ratio")) {
    res.ratio[anchor] = {};
    for (const k of keys) res.ratio[anchor][k] = ratios(get(res.service)[k], get(res[anchor])[k]);
  }
  return res;
}

/**
 * The scenarios in run order: which targets each runs on, and how. `--only`
 * picks by name. A new scenario file adds a line here.
 */
const SCENARIOS = [
  {
    name: "oneToOne",
    on: ["storeRelay", "baseline", "service"],
    run: async (t) => oneToOne(t, people[t.name].slice(0, 2), config.oneToOne),
    finish: (r) => withRatios(r, ["ack", "delivery"]),
  },
  {
    // serviceDirect: the same service with SOCKET_RELAY=off, so the Worker's relay (on the platform in
    // the Worker's own isolate, here on the one thread every object shares) is not on the room's thread.
    name: "group",
    on: ["storeRelay", "baseline", "service", "serviceDirect"],
    // All targets in one call: their phases interleave, round by round (groupRounds).
    runAll: (on) => groupRounds(on.map((name) => ({ target: targets[name], members: people[name], channelId: groups[name] })), { ...config.group, log }),
    finish: (r) => {
      r.ratioByRate = {};
      r.directRatioByRate = {};
      // Each round on its own (the rounds interleave, so round i of each target ran side by side): how far one phase moves.
      r.roundRatiosByRate = {};
      for (const rate of config.group.rates) {
        const anchorRounds = r.storeRelay.byRate[rate].rounds;
        r.roundRatiosByRate[rate] = r.service.byRate[rate].rounds.map((own, i) => withRatios({ service: own, storeRelay: anchorRounds[i] }, ["ack", "delivery"]).ratio.storeRelay);
        r.ratioByRate[rate] = withRatios({ service: r.service.byRate[rate], storeRelay: r.storeRelay.byRate[rate], baseline: r.baseline.byRate[rate] }, ["ack", "delivery"]).ratio;
        r.directRatioByRate[rate] = withRatios({ service: r.serviceDirect.byRate[rate], storeRelay: r.storeRelay.byRate[rate] }, ["ack", "delivery"]).ratio;
      }
      return r;
    },
  },
  {
    name: "sweep",
    on: ["storeRelay", "baseline", "service"],
    run: (t) => sweep(t, people[t.name], groups[t.name], { ...config.sweep, log }),
    finish: (r) => {
      r.ratio = { storeRelay: { keepsUpMessagesPerSec: r.storeRelay.keepsUpMessagesPerSec ? Math.round((r.service.keepsUpMessagesPerSec / r.storeRelay.keepsUpMessagesPerSec) * 100) / 100 : null } };
      return r;
    },
  },
  {
    name: "inbox",
    on: ["baseline", "service"],
    run: (t) => inboxFanOut(t, people[t.name], groups[t.name], config.inbox),
    finish: (r) => withRatios(r, ["perMember"]),
  },
  {
    name: "catchUp",
    on: ["baseline", "service"],
    run: (t) => catchUp(t, people[t.name].slice(0, 1 + config.catchUp.repeats), { ...config.catchUp, log }),
    finish: (r) => withRatios(r, ["sync", "withConnect"]),
  },
  {
    // The anchor is the same load without the flooder, on the service itself, with its budgets as
    // deployed (serviceFlood: the others raise the socket frame budget for load).
    name: "flood",
    on: ["serviceFlood"],
    run: async (t) => floodBesideGroup(t, people[t.name], groups[t.name], config.flood),
    finish: (r) => r,
  },
  {
    name: "manyRooms",
    on: ["service"],
    run: (t) => manyRooms(t, people.service, groups.service, { ...config.manyRooms, log }),
    finish: (r) => r,
  },
  {
    name: "attachments",
    on: ["service"],
    run: (t) => attachments(t, people.service.slice(0, 2), { ...config.attachments, log }),
    finish: (r) => r,
  },
];

let failed = null;
try {
  const wanted = SCENARIOS.filter((s) => wants(s.name));
  const needed = new Set(["service", ...wanted.flatMap((s) => s.on)]);
  log(`starting (${smoke ? "smoke" : "full"} run): ${[...needed].join(", ")}`);
  const starts = {
    service: () => serviceTarget({ disk, vars: JSON.parse(process.env.BENCH_VARS ?? "{}") }),
    serviceDirect: () => serviceTarget({ disk, name: "serviceDirect", vars: { SOCKET_RELAY: "off" } }),
    serviceFlood: () => serviceTarget({ disk, name: "serviceFlood", defaultBudgets: true }),
    baseline: baselineTarget,
    storeRelay: storeRelayTarget,
  };
  // allSettled: a target that fails to start must not leave the others running.
  const starting = await Promise.allSettled(
    [...needed].map(async (name) => {
      const t = await starts[name]();
      stoppers.push(t.stop);
      targets[name] = t;
    }),
  );
  const refused = starting.find((r) => r.status === "rejected");
  if (refused) throw refused.reason;
  result.serviceStateOnTmpfs = targets.service.stateOnTmpfs;
  result.endpoints = Object.fromEntries(Object.entries(targets).map(([n, t]) => [n, t.baseUrl]));
  log(`service on ${targets.service.baseUrl} (state on ${targets.service.stateOnTmpfs ? "tmpfs" : "disk"}); signing up ${config.users} users`);
  for (const t of Object.values(targets)) {
    people[t.name] = await t.users(config.users);
    groups[t.name] = await t.group(people[t.name], "bench group");
  }

  for (const s of wanted) {
    const raw = s.runAll ? (log(`${s.name}: ${s.on.join(", ")}, interleaved`), await s.runAll(s.on)) : await across(s.name, s.on, s.run);
    if (!overran) scenarios[s.name] = s.finish(raw);
  }

  if (wants("idle")) {
    const { counts, channels } = config.idle;
    const service = targets.service;
    log(`idle cost: ${counts.join(" and ")} sockets over ${channels} channels; starting the relay-only Durable Object`);
    const relay = await startRelay();
    stoppers.push(relay.stop);
    const channelIds = [groups.service];
    for (let i = 1; i < channels; i++) channelIds.push(await service.group(people.service, `idle ${i}`));
    const rooms = Array.from({ length: channels }, (_, i) => `idle-${i}`);
    const relayResult = await idleRelay(relay, rooms, { ...config.idle, log });
    await relay.stop();
    const serviceResult = await idleService(service, people.service, channelIds, { ...config.idle, log });
    scenarios.idle = {
      service: serviceResult,
      relay: relayResult,
      aboveRelayKiB: serviceResult.points.map((p, i) => ({ sockets: p.sockets, kib: Math.round((p.perSocketKiB - relayResult.points[i].perSocketKiB) * 10) / 10 })),
    };
  }
} catch (err) {
  failed = err;
  console.error(`[bench] failed: ${err?.stack ?? err}`);
} finally {
  log("stopping everything it started");
  await stopAll();
  clearTimeout(watchdog);
}

/** Writes the run's JSON and chart and prints the table; the reference files only for a complete full run. */
function report(error) {
  Object.assign(result, {
    startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    durationMs: Math.round(performance.now() - started),
    mode: smoke ? "smoke" : "full",
    machine: machineInfo(),
    config,
    scenarios,
    targets: checkTargets(scenarios, smoke),
    error: error ? String(error.message ?? error) : undefined,
  });
  const resultsDir = option("--results-dir") ?? `${root}bench/results`;
  mkdirSync(resultsDir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  const file = `${resultsDir.replace(/\/$/, "")}/${result.mode}-${stamp}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  writeFileSync(file.replace(/\.json$/, ".svg"), renderChart(result));
  if (reference && !smoke && !error) {
    writeFileSync(`${root}bench/results/reference-${result.machine.slug}.json`, JSON.stringify(result, null, 2) + "\n");
    writeFileSync(`${root}bench/reference-latency.svg`, renderChart(result));
  }
  printTable(result);
  const shown = file.startsWith(root) ? file.slice(root.length) : file;
  console.log(`\nresults: ${shown} (chart: ${shown.replace(/\.json$/, ".svg")})`);
}

if (!overran) report(failed);
if (failed) process.exitCode = 1;
process.exit(process.exitCode ?? 0);

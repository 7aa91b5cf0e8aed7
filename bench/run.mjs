// `npm run bench`: the service (npm start on 127.0.0.1, fresh state) against
// a bare ws broadcast server, and a relay-only Durable Object for idle cost,
// all driven by the same load generator through the project's client SDK.
// Prints a line per phase and a table at the end; writes bench/results/*.json
// and a latency chart (SVG). Stops everything it started.
//
//   node bench/run.mjs                 full run (about 5 to 8 minutes)
//   node bench/run.mjs --smoke         tiny counts, a few seconds of load: checks that it completes
//   node bench/run.mjs --only group,sweep
//   node bench/run.mjs --results-dir DIR   write the JSON and SVG there instead of bench/results
//   node bench/run.mjs --disk          keep the service's state on disk, not tmpfs (see lib/targets.mjs)
//   node bench/run.mjs --reference     also writes bench/results/reference-<host>.json and bench/reference-latency.svg
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { renderChart } from "./chart.mjs";
import { machineInfo } from "./lib/machine.mjs";
import { startRelay } from "./lib/relay.mjs";
import { cleanSdk } from "./lib/sdk.mjs";
import { ratios } from "./lib/stats.mjs";
import { printTable, checkTargets } from "./lib/report.mjs";
import { baselineTarget, serviceTarget } from "./lib/targets.mjs";
import { attachments } from "./scenarios/attachments.mjs";
import { catchUp } from "./scenarios/catch-up.mjs";
import { groupFanOut } from "./scenarios/group.mjs";
import { idleRelay, idleService } from "./scenarios/idle.mjs";
import { inboxFanOut } from "./scenarios/inbox.mjs";
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

const FULL = {
  users: 100,
  oneToOne: { roundTrips: 1000 },
  group: { senders: 10, rate: 100, durationMs: 10_000, settleMs: 10_000 },
  sweep: { rates: [50, 100, 200, 300, 400, 600, 800, 1000, 1200, 1600, 2000], senders: 10, stepMs: 3_000, settleMs: 3_000, p99BoundMs: 100 },
  catchUp: { messages: 10_000, repeats: 5 },
  inbox: { messages: 20, gapMs: 200 },
  idle: { counts: [1000, 5000], channels: 10, waitMs: 3_000 },
  attachments: { sizeMiB: 10, repeats: 5, image: { width: 4000, height: 3000 }, thumbs: 3 },
  deadlineMs: 12 * 60_000,
};
const SMOKE = {
  users: 4,
  oneToOne: { roundTrips: 10 },
  group: { senders: 2, rate: 20, durationMs: 1_000, settleMs: 5_000 },
  sweep: { rates: [20, 40], senders: 2, stepMs: 1_000, settleMs: 5_000, p99BoundMs: 1_000 },
  catchUp: { messages: 300, repeats: 1 },
  inbox: { messages: 2, gapMs: 50 },
  idle: { counts: [8, 16], channels: 2, waitMs: 300 },
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
const watchdog = setTimeout(async () => {
  console.error(`[bench] over its ${config.deadlineMs / 60_000} min budget: stopping`);
  await stopAll();
  process.exit(1);
}, config.deadlineMs);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    await stopAll();
    process.exit(130);
  });
}

/** Runs one scenario on both targets, baseline first, and adds ratios of the latency summaries. */
async function both(name, run) {
  log(`${name}: baseline`);
  const baseline = await run(targets.baseline);
  log(`${name}: service`);
  const service = await run(targets.service);
  return { service, baseline };
}

function withRatios(result, keys) {
  result.ratio = {};
  for (const k of keys) result.ratio[k] = ratios(result.service[k], result.baseline[k]);
  return result;
}

const targets = {};
const scenarios = {};
const result = {};
let failed = null;
try {
  log(`starting (${smoke ? "smoke" : "full"} run): the service (npm start), the bare ws baseline`);
  const [service, baseline] = await Promise.all([serviceTarget({ disk }), baselineTarget()]);
  stoppers.push(service.stop, baseline.stop);
  Object.assign(targets, { service, baseline });
  result.serviceStateOnTmpfs = service.stateOnTmpfs;
  result.endpoints = { service: service.baseUrl, baseline: baseline.baseUrl };
  log(`service on ${service.baseUrl} (state on ${service.stateOnTmpfs ? "tmpfs" : "disk"}), baseline on ${baseline.baseUrl}; signing up ${config.users} users`);
  const people = { service: await service.users(config.users), baseline: await baseline.users(config.users) };
  const groups = {};
  for (const t of [service, baseline]) groups[t.name] = await t.group(people[t.name], "bench group");

  if (wants("oneToOne")) {
    log(`1:1: ${config.oneToOne.roundTrips} round trips`);
    scenarios.oneToOne = withRatios(await both("1:1", (t) => oneToOne(t, people[t.name].slice(0, 2), config.oneToOne)), ["ack", "delivery"]);
  }
  if (wants("group")) {
    const g = config.group;
    log(`group: ${config.users} sockets, ${g.senders} senders, ${g.rate} msg/s for ${g.durationMs / 1000} s`);
    scenarios.group = withRatios(await both("group", (t) => groupFanOut(t, people[t.name], groups[t.name], g)), ["ack", "delivery"]);
  }
  if (wants("sweep")) {
    log(`throughput sweep into one channel of ${config.users}: ${config.sweep.rates.join(", ")} msg/s`);
    scenarios.sweep = await both("sweep", (t) => sweep(t, people[t.name], groups[t.name], { ...config.sweep, log }));
    scenarios.sweep.ratio = {
      keepsUpMessagesPerSec: scenarios.sweep.baseline.keepsUpMessagesPerSec
        ? Math.round((scenarios.sweep.service.keepsUpMessagesPerSec / scenarios.sweep.baseline.keepsUpMessagesPerSec) * 100) / 100
        : null,
    };
  }
  if (wants("catchUp")) {
    log(`catch-up: ${config.catchUp.messages} messages behind, ${config.catchUp.repeats} devices in turn`);
    scenarios.catchUp = withRatios(await both("catch-up", (t) => catchUp(t, people[t.name].slice(0, 2), { ...config.catchUp, log })), ["sync", "withConnect"]);
  }
  if (wants("inbox")) {
    log(`inbox fan-out: ${config.users} members, ${config.inbox.messages} messages`);
    scenarios.inbox = withRatios(await both("inbox", (t) => inboxFanOut(t, people[t.name], groups[t.name], config.inbox)), ["perMember", "allMembers"]);
  }
  if (wants("attachments")) {
    log("attachments: upload and download throughput, Worker CPU per thumbnail (service only)");
    scenarios.attachments = await attachments(service, people.service.slice(0, 2), { ...config.attachments, log });
  }
  if (wants("idle")) {
    const { counts, channels } = config.idle;
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

Object.assign(result, {
  startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
  durationMs: Math.round(performance.now() - started),
  mode: smoke ? "smoke" : "full",
  machine: machineInfo(),
  config,
  scenarios,
  targets: checkTargets(scenarios, smoke),
  error: failed ? String(failed.message ?? failed) : undefined,
});
const resultsDir = option("--results-dir") ?? `${root}bench/results`;
mkdirSync(resultsDir, { recursive: true });
const stamp = result.startedAt.replace(/[:.]/g, "-");
const file = `${resultsDir.replace(/\/$/, "")}/${result.mode}-${stamp}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
writeFileSync(file.replace(/\.json$/, ".svg"), renderChart(result));
if (reference && !smoke && !failed) {
  writeFileSync(`${root}bench/results/reference-${result.machine.slug}.json`, JSON.stringify(result, null, 2) + "\n");
  writeFileSync(`${root}bench/reference-latency.svg`, renderChart(result));
}
printTable(result);
const shown = file.startsWith(root) ? file.slice(root.length) : file;
console.log(`\nresults: ${shown} (chart: ${shown.replace(/\.json$/, ".svg")})`);
if (failed) process.exitCode = 1;
process.exit(process.exitCode ?? 0);

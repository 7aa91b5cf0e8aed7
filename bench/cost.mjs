// The monthly bill for N concurrent users on Cloudflare, from the service's
// own counts per operation (measured by bench/counts.mjs into
// bench/results/counts.json, D1 queries by test/d1-queries.test.ts; the few
// figures still counted or assumed are marked) at the published prices.
// Every price, count and assumption is a parameter:
//
//   node bench/cost.mjs                          10k, 100k and 1M concurrent users
//   node bench/cost.mjs --users=250000           one size
//   node bench/cost.mjs --messagesPerUserPerMinute=2 --pingsBilled=true
//   node bench/cost.mjs --json                   the figures as JSON
//
// docs/capacity.md explains the model and shows its output.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Cloudflare's published prices (Workers Paid plan), as read from the docs on this date. */
export const PRICES = {
  priceListDate: "2026-04-21",
  sources: [
    "https://developers.cloudflare.com/workers/platform/pricing/",
    "https://developers.cloudflare.com/durable-objects/platform/pricing/",
    "https://developers.cloudflare.com/d1/platform/pricing/",
    "https://developers.cloudflare.com/r2/pricing/",
  ],
  workersPlanPerMonth: 5,
  workerRequests: { included: 10e6, perMillion: 0.3 },
  workerCpuMs: { included: 30e6, perMillion: 0.02 },
  doRequests: { included: 1e6, perMillion: 0.15 },
  /** Incoming WebSocket messages are billed as requests at 20:1. */
  doWebSocketMessagesPerRequest: 20,
  doDurationGbS: { included: 400_000, perMillion: 12.5 },
  /** Duration is billed at 128 MB per active object, whatever it uses. */
  doMemoryGb: 0.128,
  doRowsRead: { included: 25e9, perMillion: 0.001 },
  doRowsWritten: { included: 50e6, perMillion: 1.0 },
  doStorageGbMonth: { included: 5, perGbMonth: 0.2 },
  d1RowsRead: { included: 25e9, perMillion: 0.001 },
  d1RowsWritten: { included: 50e6, perMillion: 1.0 },
  d1StorageGbMonth: { included: 5, perGbMonth: 0.75 },
  r2StorageGbMonth: { included: 10, perGbMonth: 0.015 },
  r2ClassA: { included: 1e6, perMillion: 4.5 },
  r2ClassB: { included: 10e6, perMillion: 0.36 },
};

const COUNTS_FILE = fileURLToPath(new URL("results/counts.json", import.meta.url));

/**
 * What the service does per operation. Rows, requests, alarms and wall time
 * are measured on the service (`node bench/counts.mjs` runs
 * test/operation-counts.test.ts and writes bench/results/counts.json); D1
 * queries are measured by test/d1-queries.test.ts; the rest is marked.
 */
export function measuredCounts(file = COUNTS_FILE) {
  let measured;
  try {
    measured = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    throw new Error(`no measured counts in ${file}: run node bench/counts.mjs first`);
  }
  const o = measured.operations;
  /** Everything one operation cost, room and hubs together; requests besides its socket frame. */
  const whole = (x) => ({
    rowsRead: x.roomRowsRead + x.hubRowsRead,
    rowsWritten: x.roomRowsWritten + x.hubRowsWritten,
    requests: x.objectRequests + x.roomAlarms,
    activeMs: x.answerMs + x.roomAlarmMs + x.hubUpdates * x.hubUpdateMs,
  });
  const read = whole(o.readMarker);
  const edit = whole(o.edit);
  const reaction = whole(o.reaction);
  const channelConnect = whole(o.channelConnect);
  const inboxConnect = whole(o.inboxConnect);
  const sync = whole(o.syncPage50);
  const m = o.dmMessage;
  return {
    countsMeasuredAt: measured.measuredAt,
    // test/d1-queries.test.ts
    d1QueriesPerSignup: 2,
    d1QueriesPerLogin: 4,
    d1QueriesPerChannelConnect: 1, // the session lookup (it carries the expiry)
    d1QueriesPerInboxConnect: 2, // the session lookup, the user's profile
    d1QueriesPerHttpCall: 1, // the session lookup
    d1QueriesPerSocketMessage: 0, // the message path is free of D1
    d1RowsReadPerQuery: 1, // counted: every query is an index lookup of one row
    d1RowsWrittenPerLogin: 2, // counted: the session row, the cleared failure row
    // bench/counts.mjs: a message in a DM whose sender has it open (the room's side, then per hub update)
    roomRowsReadPerMessage: m.roomRowsRead,
    roomRowsWrittenPerMessage: m.roomRowsWritten,
    drainAlarmsPerMessage: m.roomAlarms,
    otherRequestsPerMessage: m.objectRequests - m.hubUpdates,
    roomActiveMsPerMessage: m.answerMs + m.roomAlarmMs, // local wall time, ack and drain: an upper bound
    hubRowsReadPerUpdate: m.hubRowsReadPerUpdate,
    hubRowsWrittenPerUpdate: m.hubRowsWrittenPerUpdate,
    hubActiveMsPerUpdate: m.hubUpdateMs, // local wall time of the RPC: an upper bound
    // bench/counts.mjs: the other operations, room and hubs together
    readRowsRead: read.rowsRead,
    readRowsWritten: read.rowsWritten,
    readRequests: read.requests,
    readActiveMs: read.activeMs,
    changeRowsRead: (edit.rowsRead + reaction.rowsRead) / 2,
    changeRowsWritten: (edit.rowsWritten + reaction.rowsWritten) / 2,
    changeRequests: (edit.requests + reaction.requests) / 2,
    changeActiveMs: (edit.activeMs + reaction.activeMs) / 2,
    channelConnectRowsRead: channelConnect.rowsRead,
    channelConnectRowsWritten: channelConnect.rowsWritten,
    channelConnectRequests: channelConnect.requests,
    channelConnectActiveMs: channelConnect.activeMs,
    inboxConnectRowsRead: inboxConnect.rowsRead,
    inboxConnectRowsWritten: inboxConnect.rowsWritten,
    inboxConnectRequests: inboxConnect.requests,
    inboxConnectActiveMs: inboxConnect.activeMs,
    syncPageRowsRead: sync.rowsRead,
    syncPageRowsWritten: sync.rowsWritten,
    syncPageActiveMs: sync.activeMs,
    // measured: bench/results (SQLite growth per stored message)
    roomStorageBytesPerMessage: 302,
    workerCpuMsPerRequest: 1, // assumed: the Worker only authenticates and forwards (CPU is not measurable locally)
    workerCpuMsPerLogin: 60, // counted: one PBKDF2 hash (100,000 iterations)
  };
}

/** How people use it: assumptions, not measurements. */
export const USAGE = {
  users: 1_000_000,
  socketsPerUser: 2, // the inbox, and the channel on screen
  messagesPerUserPerMinute: 1,
  otherMembersPerMessage: 3, // 4 members on average, mostly DMs
  /** Hub updates per message per member: 1 when sparse; a room drains at most every 100 ms when busy. */
  hubUpdatesPerDelivery: 1,
  channelConnectsPerUserPerHour: 6, // switching channels, reconnecting
  inboxConnectsPerUserPerHour: 1,
  httpCallsPerUserPerHour: 6, // history pages, presence, lists (priced as a sync page each)
  readMarkersPerUserPerHour: 20, // on the socket: one each time new messages scroll into view
  changesPerMessage: 0.1, // edits and reactions
  syncPagesPerChannelConnect: 1, // the catch-up after opening a channel
  loginsPerUserPerMonth: 2,
  signupsPerMonthPerConcurrentUser: 0.05,
  /** Concurrent users are this share of all accounts (hours online a day / 24). */
  concurrencyShare: 0.1,
  pingIntervalS: 25,
  /** Pings are answered by setWebSocketAutoResponse without waking the object; whether they are billed as requests is not published. */
  pingsBilled: false,
  historyMonths: 12, // message history kept (storage billed at steady state)
  attachmentShare: 0.03, // messages carrying an attachment
  attachmentBytes: 300_000,
  attachmentReadsPerDelivery: 1,
  d1BytesPerAccount: 600,
};

const MONTH_S = 30 * 24 * 3600;
const HOURS = MONTH_S / 3600;

function billed(quantity, tier) {
  return (Math.max(0, quantity - tier.included) / 1e6) * tier.perMillion;
}
function billedStorage(gbMonth, tier) {
  return Math.max(0, gbMonth - tier.included) * tier.perGbMonth;
}

/** Quantities per month and their cost, line by line. */
export function monthlyBill(usage = USAGE, counts = measuredCounts(), prices = PRICES) {
  const u = usage.users;
  const c = counts;
  const messages = u * usage.messagesPerUserPerMinute * 60 * HOURS;
  const deliveries = messages * usage.otherMembersPerMessage;
  const hubUpdates = deliveries * usage.hubUpdatesPerDelivery;
  const channelConnects = u * usage.channelConnectsPerUserPerHour * HOURS;
  const inboxConnects = u * usage.inboxConnectsPerUserPerHour * HOURS;
  const httpCalls = u * usage.httpCallsPerUserPerHour * HOURS;
  const readMarkers = u * usage.readMarkersPerUserPerHour * HOURS;
  const changes = messages * usage.changesPerMessage;
  const syncPages = channelConnects * usage.syncPagesPerChannelConnect;
  const accounts = u / usage.concurrencyShare;
  const logins = accounts * usage.loginsPerUserPerMonth;
  const signups = u * usage.signupsPerMonthPerConcurrentUser;
  const sockets = u * usage.socketsPerUser;
  const pings = (sockets * MONTH_S) / usage.pingIntervalS;

  const workerRequests = channelConnects + inboxConnects + httpCalls + logins + signups;
  const workerCpuMs = (channelConnects + inboxConnects + httpCalls) * c.workerCpuMsPerRequest + (logins + signups) * c.workerCpuMsPerLogin;

  const wsFrames = messages + readMarkers + changes + syncPages + (usage.pingsBilled ? pings : 0);
  const doRequests =
    wsFrames / prices.doWebSocketMessagesPerRequest +
    messages * (c.drainAlarmsPerMessage + c.otherRequestsPerMessage) +
    hubUpdates + // one RPC per member hub per drain
    readMarkers * c.readRequests +
    changes * c.changeRequests +
    channelConnects * c.channelConnectRequests + // the upgrade, and the presence the room asks of members' hubs
    inboxConnects * c.inboxConnectRequests +
    httpCalls; // every HTTP call reaches one object
  const activeSeconds =
    (messages * c.roomActiveMsPerMessage +
      hubUpdates * c.hubActiveMsPerUpdate +
      readMarkers * c.readActiveMs +
      changes * c.changeActiveMs +
      channelConnects * c.channelConnectActiveMs +
      inboxConnects * c.inboxConnectActiveMs +
      (syncPages + httpCalls) * c.syncPageActiveMs) /
    1000;
  const durationGbS = activeSeconds * prices.doMemoryGb;
  const doRowsWritten =
    messages * c.roomRowsWrittenPerMessage +
    hubUpdates * c.hubRowsWrittenPerUpdate +
    readMarkers * c.readRowsWritten +
    changes * c.changeRowsWritten +
    channelConnects * c.channelConnectRowsWritten +
    inboxConnects * c.inboxConnectRowsWritten +
    (syncPages + httpCalls) * c.syncPageRowsWritten;
  const doRowsRead =
    messages * c.roomRowsReadPerMessage +
    hubUpdates * c.hubRowsReadPerUpdate +
    readMarkers * c.readRowsRead +
    changes * c.changeRowsRead +
    channelConnects * c.channelConnectRowsRead +
    inboxConnects * c.inboxConnectRowsRead +
    (syncPages + httpCalls) * c.syncPageRowsRead;
  const doStorageGb = (messages * usage.historyMonths * c.roomStorageBytesPerMessage) / 1e9;

  const d1Queries =
    signups * counts.d1QueriesPerSignup +
    logins * counts.d1QueriesPerLogin +
    channelConnects * counts.d1QueriesPerChannelConnect +
    inboxConnects * counts.d1QueriesPerInboxConnect +
    httpCalls * counts.d1QueriesPerHttpCall +
    messages * counts.d1QueriesPerSocketMessage;
  const d1RowsRead = d1Queries * counts.d1RowsReadPerQuery;
  const d1RowsWritten = logins * counts.d1RowsWrittenPerLogin + signups * 2;
  const d1StorageGb = (accounts * usage.d1BytesPerAccount) / 1e9;

  const attachments = messages * usage.attachmentShare;
  const r2StorageGb = (attachments * usage.historyMonths * usage.attachmentBytes) / 1e9;
  const r2ClassA = attachments;
  const r2ClassB = attachments * usage.otherMembersPerMessage * usage.attachmentReadsPerDelivery;

  const lines = [
    { item: "Workers Paid plan", quantity: 1, unit: "month", cost: prices.workersPlanPerMonth },
    { item: "Worker requests", quantity: workerRequests, unit: "requests", cost: billed(workerRequests, prices.workerRequests) },
    { item: "Worker CPU", quantity: workerCpuMs, unit: "CPU ms", cost: billed(workerCpuMs, prices.workerCpuMs) },
    { item: "DO requests (socket frames at 20:1, alarms, RPCs, upgrades)", quantity: doRequests, unit: "requests", cost: billed(doRequests, prices.doRequests) },
    { item: "DO duration (active only: hibernation)", quantity: durationGbS, unit: "GB-s", cost: billed(durationGbS, { included: prices.doDurationGbS.included, perMillion: prices.doDurationGbS.perMillion }) },
    { item: "DO SQLite rows read", quantity: doRowsRead, unit: "rows", cost: billed(doRowsRead, prices.doRowsRead) },
    { item: "DO SQLite rows written", quantity: doRowsWritten, unit: "rows", cost: billed(doRowsWritten, prices.doRowsWritten) },
    { item: `DO SQLite storage (${usage.historyMonths} months of history)`, quantity: doStorageGb, unit: "GB-month", cost: billedStorage(doStorageGb, prices.doStorageGbMonth) },
    { item: "D1 rows read", quantity: d1RowsRead, unit: "rows", cost: billed(d1RowsRead, prices.d1RowsRead) },
    { item: "D1 rows written", quantity: d1RowsWritten, unit: "rows", cost: billed(d1RowsWritten, prices.d1RowsWritten) },
    { item: "D1 storage", quantity: d1StorageGb, unit: "GB-month", cost: billedStorage(d1StorageGb, prices.d1StorageGbMonth) },
    { item: `R2 storage (${usage.historyMonths} months of attachments)`, quantity: r2StorageGb, unit: "GB-month", cost: billedStorage(r2StorageGb, prices.r2StorageGbMonth) },
    { item: "R2 Class A (uploads)", quantity: r2ClassA, unit: "operations", cost: billed(r2ClassA, prices.r2ClassA) },
    { item: "R2 Class B (downloads)", quantity: r2ClassB, unit: "operations", cost: billed(r2ClassB, prices.r2ClassB) },
  ];
  const total = lines.reduce((s, l) => s + l.cost, 0);
  const pingsIfBilled = billed(pings / prices.doWebSocketMessagesPerRequest, { included: 0, perMillion: prices.doRequests.perMillion });
  return {
    users: u,
    lines,
    total,
    perUser: total / u,
    volumes: { messages, deliveries, sockets, pings, d1Queries, d1QueriesPerSecond: d1Queries / MONTH_S, doRequestsPerSecond: doRequests / MONTH_S },
    // The seed sizes memory as 10 KiB per connection (10 GB for 1M). Here memory is paid only while an object runs:
    averageActiveMemoryGb: durationGbS / MONTH_S,
    seedMemoryGb: (sockets * 10 * 1024) / 1e9,
    pingsIfBilled: usage.pingsBilled ? null : pingsIfBilled,
  };
}

function parseArgs(argv) {
  const usage = { ...USAGE };
  const counts = measuredCounts();
  let sizes = [10_000, 100_000, 1_000_000];
  let json = false;
  for (const arg of argv) {
    if (arg === "--json") {
      json = true;
      continue;
    }
    const m = /^--([A-Za-z0-9]+)=(.+)$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg} (use --name=value)`);
    const [, name, raw] = m;
    const value = raw === "true" ? true : raw === "false" ? false : Number(raw);
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`--${name} needs a number`);
    if (name === "users") sizes = [value];
    else if (name in usage) usage[name] = value;
    else if (name in counts) counts[name] = value;
    else throw new Error(`unknown parameter --${name}; see USAGE and measuredCounts() in bench/cost.mjs`);
  }
  return { usage, counts, sizes, json };
}

const fmt = (n) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(2));
const usd = (n) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

function print({ usage, counts, sizes }) {
  console.log(`Cloudflare prices as published on ${PRICES.priceListDate} (Workers Paid):`);
  for (const s of PRICES.sources) console.log(`  ${s}`);
  console.log("\nUsage assumptions (override with --name=value):");
  for (const [k, v] of Object.entries(usage)) if (k !== "users") console.log(`  ${k} = ${v}`);
  console.log(`\nCounts per operation (measured by bench/counts.mjs on ${counts.countsMeasuredAt}, D1 by test/d1-queries.test.ts; the few counted or assumed are marked in measuredCounts()):`);
  for (const [k, v] of Object.entries(counts)) if (k !== "countsMeasuredAt") console.log(`  ${k} = ${typeof v === "number" ? +v.toFixed(2) : v}`);
  for (const users of sizes) {
    const bill = monthlyBill({ ...usage, users }, counts);
    console.log(`\n${users.toLocaleString("en-US")} concurrent users: ${usd(bill.total)} a month (${usd(bill.perUser * 1000)} per 1,000 concurrent users)`);
    for (const l of bill.lines) console.log(`  ${l.item.padEnd(62)} ${fmt(l.quantity).padStart(10)} ${l.unit.padEnd(10)} ${usd(l.cost).padStart(12)}`);
    const v = bill.volumes;
    console.log(`  volumes: ${fmt(v.messages)} messages, ${fmt(v.deliveries)} deliveries, ${fmt(v.sockets)} sockets; ${v.doRequestsPerSecond.toFixed(0)} DO requests/s; D1 ${v.d1QueriesPerSecond.toFixed(0)} queries/s, none per message`);
    console.log(`  memory: ${bill.averageActiveMemoryGb.toFixed(2)} GB of objects active on average (billed), against the seed's ${bill.seedMemoryGb.toFixed(1)} GB at 10 KiB per connection`);
    if (bill.pingsIfBilled !== null) console.log(`  if pings were billed as socket messages: + ${usd(bill.pingsIfBilled)}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = parseArgs(process.argv.slice(2));
  if (options.json) console.log(JSON.stringify(options.sizes.map((users) => monthlyBill({ ...options.usage, users }, options.counts)), null, 2));
  else print(options);
}

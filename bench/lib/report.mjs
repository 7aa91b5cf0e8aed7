// The table printed at the end of a run, and the issue's targets checked against it.

const fmt = (s) => (s ? [s.p50, s.p95, s.p99, s.max].map((v) => (Number.isFinite(v) ? String(v) : "-")).join(" / ") : "-");
const ratio = (r) => (r ? `${r.p50 ?? "-"}× / ${r.p99 ?? "-"}×` : "-");

/** Rows of [scenario, measure, service, store-and-relay, bare ws, ratio to store-and-relay] for every latency figure of a run. */
export function latencyRows(scenarios) {
  const rows = [];
  const add = (scenario, metric, res, key, r = res?.ratio) => {
    if (!res?.service) return;
    const lost = (x) => (x && Number.isFinite(x.lost) && x.lost > 0 ? ` (lost ${x.lost})` : "");
    rows.push([scenario, metric, fmt(res.service[key]) + lost(res.service), fmt(res.storeRelay?.[key]) + lost(res.storeRelay), fmt(res.baseline?.[key]) + lost(res.baseline), ratio(r?.storeRelay?.[key] ?? r?.baseline?.[key])]);
  };
  add("1:1", "send → ack", scenarios.oneToOne, "ack");
  add("1:1", "send → partner", scenarios.oneToOne, "delivery");
  const g = scenarios.group;
  for (const rate of Object.keys(g?.service?.byRate ?? {})) {
    const at = { service: g.service.byRate[rate], storeRelay: g.storeRelay?.byRate[rate], baseline: g.baseline?.byRate[rate] };
    const name = `group of ${g.service.members}, ${rate} msg/s`;
    add(name, "send → ack", at, "ack", g.ratioByRate[rate]);
    add(name, "send → each member", at, "delivery", g.ratioByRate[rate]);
  }
  if (scenarios.inbox?.service) add(`inbox fan-out at ${scenarios.inbox.service.rate} msg/s`, "send → each inbox's badge", scenarios.inbox, "perMember");
  add("catch-up", "welcome → all held", scenarios.catchUp, "sync");
  add("catch-up", "connect → all held", scenarios.catchUp, "withConnect");
  return rows;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

export function printTable(result) {
  const s = result.scenarios;
  console.log(`\n${result.machine.summary}`);
  console.log("\nLatency, ms: p50 / p95 / p99 / max (ratio: service ÷ store-and-relay, or ÷ bare ws where there is none, at p50 / p99)\n");
  console.log(table(["scenario", "measure", "service", "store-and-relay DO", "bare ws", "ratio"], latencyRows(s)));
  if (s.group) {
    console.log("\nCPU ms per message in the group run (target's processes; load generator):");
    for (const rate of Object.keys(s.group.service.byRate)) {
      const c = (t) => {
        const r = s.group[t]?.byRate[rate];
        return r ? `${r.cpuMsPerMessage.target} (${r.cpuMsPerMessage.loadGenerator})` : "-";
      };
      console.log(`  ${rate} msg/s: service ${c("service")}, store-and-relay ${c("storeRelay")}, bare ws ${c("baseline")}`);
    }
  }
  if (s.group?.service?.rounds > 1) {
    // The pooled figures above are the targets' verdict; each round's own ratio shows how far one phase moves.
    console.log(`\nEach of the group's ${s.group.service.rounds} interleaved rounds on its own, service ÷ store-and-relay at p99 (fan-out / ack):`);
    for (const [rate, each] of Object.entries(s.group.roundRatiosByRate ?? {})) {
      console.log(`  ${rate} msg/s: ${each.map((r) => `${r.delivery.p99}× / ${r.ack.p99}×`).join(", ")}`);
    }
  }
  if (s.group?.service?.cold) {
    const c = (t) => (s.group[t]?.cold ? `p50 ${s.group[t].cold.delivery.p50} / p99 ${s.group[t].cold.delivery.p99} ms (ack p99 ${s.group[t].cold.ack.p99})` : "-");
    console.log(`\nThe group's unmeasured warm-up (cold: JIT; the service's room meets 99 hubs), fan-out: service ${c("service")}, store-and-relay ${c("storeRelay")}, bare ws ${c("baseline")}`);
  }
  if (s.group?.serviceDirect) {
    console.log("\nThe same group without the Worker's relay (SOCKET_RELAY=off: on the platform the relay runs in the Worker's isolate, not on the room's thread; ratio ÷ store-and-relay at p50 / p99):");
    for (const rate of Object.keys(s.group.serviceDirect.byRate)) {
      const d = s.group.serviceDirect.byRate[rate];
      const r = s.group.directRatioByRate[rate].storeRelay;
      console.log(`  ${rate} msg/s: fan-out ${fmt(d.delivery)} (${ratio(r.delivery)}), ack ${fmt(d.ack)} (${ratio(r.ack)}), lost ${d.lost}, CPU ${d.cpuMsPerMessage.target} ms/message`);
    }
  }
  if (s.sweep) {
    const rate = (r) => (r ? `${r.keepsUpMessagesPerSec} msg/s` : "-");
    console.log(`\nKeep-up ceiling into one channel of ${s.sweep.service.members} (all delivered, p99 < ${s.sweep.service.p99BoundMs} ms):`);
    console.log(`  service ${rate(s.sweep.service)}, store-and-relay ${rate(s.sweep.storeRelay)}, bare ws ${rate(s.sweep.baseline)}`);
  }
  const flood = s.flood?.serviceFlood;
  if (flood) {
    const f = flood.flood;
    console.log(`\nFlood beside the group of ${flood.members} at ${flood.rate} msg/s (budgets as deployed): others' fan-out ${fmt(flood.flooded.delivery)} flooded vs ${fmt(flood.quiet.delivery)} quiet before and ${flood.quietAfter ? fmt(flood.quietAfter.delivery) : "–"} after (${ratio(flood.ratio.delivery)} of the two quiet runs' mean), lost ${flood.flooded.lost}; the flooder sent ${f.framesPerSec} frames/s on ${f.sockets} sockets, ${f.closedByServer} closed by the server (4429), ${f.upgradesRefused} reconnects refused`);
  }
  if (s.inbox?.service) console.log(`\nInbox: ${s.inbox.service.summariesPerInboxPerSec} summaries per inbox per second at ${s.inbox.service.rate} msg/s; lost ${s.inbox.service.lost}`);
  if (s.idle) {
    console.log("\nIdle sockets, resident memory per socket (KiB) in the Worker's runtime (+ in wrangler's local proxy):");
    s.idle.service.points.forEach((p, i) => {
      const r = s.idle.relay.points[i];
      console.log(
        `  ${p.sockets} sockets: service ${p.perSocketKiB} (+ ${p.proxyPerSocketKiB}), relay-only object ${r.perSocketKiB} (+ ${r.proxyPerSocketKiB}), service above relay ${s.idle.aboveRelayKiB[i].kib}`,
      );
    });
  }
  if (result.targets.length) {
    console.log("\nTargets:");
    for (const t of result.targets) console.log(`  ${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${t.name}: ${t.value}`);
  }
}

/** The issue's targets (#12); in a smoke run they are shown but not judged. */
export function checkTargets(s, smoke) {
  const out = [];
  const judge = (met) => (smoke ? null : met);
  for (const rate of [20, 100]) {
    const r = s.group?.ratioByRate?.[rate]?.storeRelay;
    if (!r) continue;
    const lost = s.group.service.byRate[rate].lost;
    out.push({ name: `group at ${rate} msg/s: fan-out p99 ≤ 1.5× store-and-relay`, value: `${r.delivery.p99}× (lost ${lost})`, met: judge(r.delivery.p99 <= 1.5 && lost === 0) });
    out.push({ name: `group at ${rate} msg/s: ack p99 ≤ 1.5× store-and-relay`, value: `${r.ack.p99}×`, met: judge(r.ack.p99 <= 1.5) });
    const d = s.group.directRatioByRate?.[rate]?.storeRelay;
    if (!d) continue;
    const directLost = s.group.serviceDirect.byRate[rate].lost;
    out.push({ name: `group at ${rate} msg/s without the Worker relay: fan-out p99 ≤ 1.5× store-and-relay`, value: `${d.delivery.p99}× (lost ${directLost})`, met: judge(d.delivery.p99 <= 1.5 && directLost === 0) });
    out.push({ name: `group at ${rate} msg/s without the Worker relay: ack p99 ≤ 1.5× store-and-relay`, value: `${d.ack.p99}×`, met: judge(d.ack.p99 <= 1.5) });
  }
  if (s.sweep?.storeRelay) {
    const mine = s.sweep.service.keepsUpMessagesPerSec;
    const anchor = s.sweep.storeRelay.keepsUpMessagesPerSec;
    // An anchor that kept up at no rate says only that the machine was too busy to judge.
    out.push({ name: "keep-up ceiling ≥ store-and-relay's", value: `${mine} vs ${anchor} msg/s`, met: anchor > 0 ? judge(mine >= anchor) : null });
  }
  const dm = s.oneToOne?.ratio?.storeRelay?.delivery;
  if (dm) out.push({ name: "1:1 send → partner p99 ≤ 1.5× store-and-relay", value: `${dm.p99}×`, met: judge(dm.p99 <= 1.5) });
  if (s.inbox?.service) out.push({ name: `inbox fan-out p99 < 250 ms at ${s.inbox.service.rate} msg/s`, value: `${s.inbox.service.perMember.p99} ms (lost ${s.inbox.service.lost})`, met: judge(s.inbox.service.perMember.p99 < 250 && s.inbox.service.lost === 0) });
  if (s.idle) {
    const last = s.idle.aboveRelayKiB.at(-1);
    out.push({ name: "≤ 10 KiB per socket above the relay-only object", value: `${last.kib} KiB at ${last.sockets} sockets`, met: judge(last.kib <= 10) });
  }
  if (s.catchUp) out.push({ name: "catch-up of 10,000 messages < 0.5 s", value: `p50 ${s.catchUp.service.sync.p50} ms, max ${s.catchUp.service.sync.max} ms`, met: judge(s.catchUp.service.sync.p50 < 500) });
  return out;
}

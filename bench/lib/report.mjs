// The table printed at the end of a run, and the targets checked against it.

const fmt = (s) => (s ? [s.p50, s.p95, s.p99, s.max].map((v) => (Number.isFinite(v) ? String(v) : "-")).join(" / ") : "-");
const ratio = (r) => (r ? `${r.p50 ?? "-"}× / ${r.p99 ?? "-"}×` : "-");

/** Rows of [scenario, metric, service, baseline, ratio] for every latency figure of a run. */
export function latencyRows(scenarios, config) {
  const rows = [];
  const group = `group of ${config.users}, ${config.group.rate} msg/s`;
  const add = (scenario, metric, result, key) => {
    if (!result) return;
    rows.push([scenario, metric, fmt(result.service?.[key]), fmt(result.baseline?.[key]), ratio(result.ratio?.[key])]);
  };
  add("1:1", "send → ack", scenarios.oneToOne, "ack");
  add("1:1", "send → partner", scenarios.oneToOne, "delivery");
  add(group, "send → ack", scenarios.group, "ack");
  add(group, "send → each member", scenarios.group, "delivery");
  add("inbox fan-out", "send → each inbox", scenarios.inbox, "perMember");
  add("inbox fan-out", "send → all inboxes", scenarios.inbox, "allMembers");
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
  console.log("\nLatency, ms: p50 / p95 / p99 / max (ratio: service ÷ baseline at p50 / p99)\n");
  console.log(table(["scenario", "measure", "service", "bare ws baseline", "ratio"], latencyRows(s, result.config)));
  if (s.group) {
    const c = (r) => `${r.cpuMsPerMessage.target} ms (load generator ${r.cpuMsPerMessage.loadGenerator} ms)`;
    console.log(`\nCPU per message in the group run: service ${c(s.group.service)}; baseline ${c(s.group.baseline)}`);
  }
  if (s.sweep) {
    const rate = (r) => `${r.keepsUpMessagesPerSec} msg/s (${r.keepsUpDeliveriesPerSec.toLocaleString("en")} deliveries/s)`;
    console.log(`\nThroughput into one channel of ${s.sweep.service.members} (keeps up = all delivered, p99 < ${s.sweep.service.p99BoundMs} ms):`);
    console.log(`  service ${rate(s.sweep.service)}, baseline ${rate(s.sweep.baseline)}`);
  }
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

/** The targets; in a smoke run they are shown but not judged. */
export function checkTargets(s, smoke) {
  const out = [];
  const judge = (met) => (smoke ? null : met);
  if (s.group?.ratio) out.push({ name: "group fan-out p99 ≤ 2× baseline", value: `${s.group.ratio.delivery.p99}×`, met: judge(s.group.ratio.delivery.p99 <= 2) });
  if (s.sweep) out.push({ name: "≥ 800 msg/s into one 100-member channel", value: `${s.sweep.service.keepsUpMessagesPerSec} msg/s`, met: judge(s.sweep.service.keepsUpMessagesPerSec >= 800) });
  if (s.idle) {
    const last = s.idle.aboveRelayKiB.at(-1);
    out.push({ name: "≤ 10 KiB per socket above the relay-only object", value: `${last.kib} KiB at ${last.sockets} sockets`, met: judge(last.kib <= 10) });
  }
  if (s.catchUp) out.push({ name: "catch-up of 10,000 messages < 0.5 s", value: `p50 ${s.catchUp.service.sync.p50} ms, max ${s.catchUp.service.sync.max} ms`, met: judge(s.catchUp.service.sync.p50 < 500) });
  return out;
}

// A hand-made SVG of latency percentiles, service against baseline, from one
// run's JSON. Log scale, because catch-up and fan-out span orders of magnitude.
// Usage: node bench/chart.mjs results.json out.svg
import { readFileSync, writeFileSync } from "node:fs";

const COLORS = { service: "#f6821f", baseline: "#8a8f98" };
const PCTS = ["p50", "p95", "p99"];

/** Latency series of a run: [label, service summary, baseline summary]. */
export function latencySeries(run) {
  const s = run.scenarios;
  const rows = [];
  const add = (label, get) => {
    try {
      const svc = get(s, "service");
      const base = get(s, "baseline");
      if (svc && base) rows.push([label, svc, base]);
    } catch {
      // scenario not in this run
    }
  };
  add("1:1 ack", (x, t) => x.oneToOne[t].ack);
  add("1:1 delivery", (x, t) => x.oneToOne[t].delivery);
  for (const rate of Object.keys(s.group?.service?.byRate ?? {})) add(`group ${rate}/s delivery`, (x, t) => x.group[t === "baseline" ? "storeRelay" : t].byRate[rate].delivery);
  add("inbox, per member", (x, t) => x.inbox[t].perMember);
  add("catch-up 10k (sync)", (x, t) => x.catchUp[t].sync);
  return rows;
}

export function renderChart(run) {
  const rows = latencySeries(run);
  const W = 860;
  const left = 70;
  const top = 50;
  const plotH = 300;
  const groupW = (W - left - 20) / Math.max(rows.length, 1);
  const barW = Math.min(14, (groupW - 16) / (PCTS.length * 2));
  const values = rows.flatMap(([, a, b]) => PCTS.flatMap((p) => [a[p], b[p]])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values, 10)));
  const y = (v) => top + plotH - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotH;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${top + plotH + 90}" font-family="sans-serif" font-size="11">`);
  out.push(`<rect width="100%" height="100%" fill="white"/>`);
  out.push(`<text x="${left}" y="22" font-size="14" font-weight="bold">Latency percentiles (ms, log scale): service vs anchor (group: store-and-relay DO; others: bare ws), one run</text>`);
  out.push(`<text x="${left}" y="38" fill="#555">${esc(run.machine?.summary ?? "")}</text>`);
  for (let d = lo; d <= hi; d *= 10) {
    out.push(`<line x1="${left}" x2="${W - 20}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y(d) + 4}" text-anchor="end">${d >= 1 ? d : d.toFixed(1)}</text>`);
  }
  rows.forEach(([label, svc, base], g) => {
    const x0 = left + g * groupW + 8;
    PCTS.forEach((p, i) => {
      [
        ["service", svc],
        ["baseline", base],
      ].forEach(([who, sum], j) => {
        const x = x0 + (i * 2 + j) * barW + i * 4;
        const v = sum[p];
        out.push(`<rect x="${x}" y="${y(v)}" width="${barW - 1}" height="${top + plotH - y(v)}" fill="${COLORS[who]}"><title>${esc(`${label} ${p} ${who}: ${v} ms`)}</title></rect>`);
      });
      out.push(`<text x="${x0 + i * (2 * barW + 4) + barW}" y="${top + plotH + 12}" text-anchor="middle" fill="#555">${p}</text>`);
    });
    out.push(`<text x="${x0 + (PCTS.length * (2 * barW + 4)) / 2}" y="${top + plotH + 28}" text-anchor="middle">${esc(label)}</text>`);
  });
  const ly = top + plotH + 55;
  out.push(`<rect x="${left}" y="${ly}" width="12" height="12" fill="${COLORS.service}"/><text x="${left + 18}" y="${ly + 10}">service (npm start, client SDK)</text>`);
  out.push(`<rect x="${left + 220}" y="${ly}" width="12" height="12" fill="${COLORS.baseline}"/><text x="${left + 238}" y="${ly + 10}">anchor: store-and-relay DO (group) or bare ws server</text>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error("usage: node bench/chart.mjs results.json out.svg");
    process.exit(2);
  }
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, "utf8"))));
}

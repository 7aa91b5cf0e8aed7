// What the run ran on, for the results file: the figures mean little without it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { createRequire } from "node:module";

export function machineInfo() {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() ?? "unknown CPU";
  const require = createRequire(import.meta.url);
  let wrangler = "unknown";
  try {
    wrangler = require("wrangler/package.json").version;
  } catch {
    // not installed
  }
  let kernel = os.release();
  try {
    kernel = execFileSync("uname", ["-sr"], { encoding: "utf8" }).trim();
  } catch {
    // uname missing
  }
  let memKiB = 0;
  try {
    memKiB = Number(readFileSync("/proc/meminfo", "utf8").match(/MemTotal:\s+(\d+)/)?.[1] ?? 0);
  } catch {
    memKiB = Math.round(os.totalmem() / 1024);
  }
  const memGiB = Math.round(memKiB / 1024 / 1024);
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return {
    summary: `${cpus.length} × ${model}, ${memGiB} GiB, ${kernel}, Node ${process.version}, wrangler ${wrangler}; load average at the end ${load.join(" ")}`,
    slug: `${cpus.length}core-${model.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`,
    cpus: cpus.length,
    cpuModel: model,
    memGiB,
    kernel,
    node: process.version,
    wrangler,
    loadAverage: load,
  };
}

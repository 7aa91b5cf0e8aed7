// CPU time (user + system, seconds) of a target's processes, from /proc: how
// much work a phase cost, which other load on the machine disturbs far less
// than it disturbs latency.
import { readFileSync } from "node:fs";
import { groupMembers } from "../../test/e2e/helpers/service.mjs";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime
  } catch {
    return 0; // exited
  }
}

/** CPU seconds so far of every live process in a process group. */
export function groupCpuSeconds(pgid) {
  return groupMembers(pgid).reduce((sum, pid) => sum + processCpu(pid), 0);
}

export function processCpuSeconds(pid) {
  return processCpu(pid);
}

/** CPU seconds so far per process of a group, keyed "label:pid". */
export function groupCpuByProcess(pgid) {
  const out = {};
  for (const pid of groupMembers(pgid)) {
    let label;
    try {
      label = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      // wrangler dev runs two: its proxy on the public port, and the Worker's own runtime on a random one.
      if (label === "workerd") label = readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("entry=127.0.0.1:0") ? "workerd (Worker)" : "workerd (wrangler proxy)";
    } catch {
      continue;
    }
    out[`${label}:${pid}`] = processCpu(pid);
  }
  return out;
}

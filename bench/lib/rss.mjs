// Resident memory (KiB) of the runtime processes of a wrangler dev process
// group, from /proc: the Worker's own workerd, and wrangler's proxy workerd
// in front of it (which exists only in local development).
import { readFileSync } from "node:fs";
import { groupMembers } from "../../test/e2e/helpers/service.mjs";

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** { worker, proxy } VmRSS in KiB, summed over the group's workerd processes of each kind. */
export function runtimeRssKiB(pgid) {
  const out = { worker: 0, proxy: 0 };
  for (const pid of groupMembers(pgid)) {
    if (read(`/proc/${pid}/comm`).trim() !== "workerd") continue;
    const kib = Number(read(`/proc/${pid}/status`).match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0);
    // The Worker's runtime listens on a random port (entry=127.0.0.1:0); the proxy on the public one.
    out[read(`/proc/${pid}/cmdline`).includes("entry=127.0.0.1:0") ? "worker" : "proxy"] += kib;
  }
  return out;
}

// Resident memory of the runtime (workerd) processes of a process group, from /proc.
import { readFileSync } from "node:fs";
import { groupMembers } from "../../test/e2e/helpers/service.mjs";

function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

function rssKiB(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Sum of VmRSS (KiB) over the workerd processes of the group (the proxy and the Worker's runtime). */
export function runtimeRssKiB(pgid) {
  return groupMembers(pgid)
    .filter((pid) => comm(pid) === "workerd")
    .reduce((sum, pid) => sum + rssKiB(pid), 0);
}

// The Worker runtime's own port under wrangler dev, found from /proc: the
// listening port of the Worker's workerd that answers a probe exactly as the
// public port (wrangler's proxy) does. Idle-cost sockets connect there, so
// the proxy, which exists only in local development and stops accepting
// connections at a few thousand sockets on a 2-core machine, is left out.
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { groupMembers } from "../../test/e2e/helpers/service.mjs";

function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (m) inodes.add(m[1]);
    } catch {
      // closed while listing
    }
  }
  const ports = [];
  for (const line of readFileSync(`/proc/${pid}/net/tcp`, "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[3] === "0A" && inodes.has(f[9])) ports.push(parseInt(f[1].split(":")[1], 16)); // 0A: LISTEN
  }
  return ports;
}

async function answer(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return `${res.status} ${await res.text()}`;
  } catch {
    return null;
  }
}

/** http://127.0.0.1:PORT of the Worker's runtime behind `publicUrl`, or the public URL if none is found. */
export async function directBaseUrl(pgid, publicUrl, probePath) {
  const expected = await answer(`${publicUrl}${probePath}`);
  for (const pid of groupMembers(pgid)) {
    let cmdline;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "workerd") continue;
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmdline.includes("entry=127.0.0.1:0")) continue; // the proxy listens on the public port
    for (const port of listeningPorts(pid)) {
      const url = `http://127.0.0.1:${port}`;
      if (expected !== null && (await answer(`${url}${probePath}`)) === expected) return url;
    }
  }
  return publicUrl;
}

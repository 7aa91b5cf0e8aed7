// Starts the real service (`npm start`, i.e. wrangler dev on workerd) on a free
// port of 127.0.0.1 with its own state folder, and stops it again. Shared by
// the e2e, fault and benchmark code. A killed service can be restarted on the
// same port and state folder, to test what survives a crash.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const live = new Set();
let webBuilt = false;

// A test runner that dies mid-test must not leave a workerd behind.
process.on("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal); // the whole group: npm, wrangler and workerd
  } catch {
    // already gone
  }
}

/**
 * Pids still running in a process group (Linux /proc). Zombies do not count:
 * where nothing reaps orphans, a dead workerd lingers as one.
 */
export function groupMembers(pgid) {
  const pids = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after the ")" that closes the command name: state, ppid, pgrp, ...
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(pgrp) === pgid && state !== "Z" && state !== "X") pids.push(Number(name));
  }
  return pids;
}

/** Waits until every process of the group has ended, so its port is free again. */
async function groupGone(pgid, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0) {
    if (Date.now() > deadline) throw new Error(`processes of group ${pgid} outlived SIGKILL`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts the service and resolves once it answers HTTP.
 * @param {object} [opts]
 * @param {Record<string, string>} [opts.vars] Worker variables, passed as `--var NAME:VALUE`.
 * @param {number} [opts.port] defaults to a free port.
 * @param {string} [opts.persistTo] state folder; defaults to a new temporary one, removed by stop().
 * @param {boolean} [opts.build] build the web app first; by default only on the first start in this process.
 * @param {number} [opts.timeoutMs] how long to wait for the first answer.
 * @param {boolean} [opts.log] echo the service's output (also E2E_LOG=1).
 */
export async function startService(opts = {}) {
  const vars = opts.vars ?? {};
  const port = opts.port ?? (await freePort());
  const ownsDir = opts.persistTo === undefined;
  const persistTo = opts.persistTo ?? mkdtempSync(join(tmpdir(), "edge-chat-e2e-"));
  const build = opts.build ?? !webBuilt;
  const log = opts.log ?? process.env.E2E_LOG === "1";
  const timeoutMs = opts.timeoutMs ?? 120_000;

  // Its own inspector port too: wrangler dev's default 9229 clashes with any other running instance.
  const inspectorPort = await freePort();
  const args = ["start", "--", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistTo, "--inspector-port", String(inspectorPort)];
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  const child = spawn("npm", args, {
    cwd: root,
    detached: true, // its own process group, so stop() reaches workerd too
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      SKIP_WEB_BUILD: build ? "0" : "1",
      // wrangler's interactive hotkeys want a terminal; there is none here.
      CI: "true",
    },
  });
  live.add(child);
  child.once("exit", () => live.delete(child));

  let output = "";
  const collect = (chunk) => {
    output = (output + chunk).slice(-20_000); // enough to explain a failed start
    if (log) process.stderr.write(chunk);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);

  const baseUrl = `http://127.0.0.1:${port}`;
  const service = {
    baseUrl,
    port,
    persistTo,
    vars,
    pid: child.pid,
    /** The last part of what the service printed. */
    output: () => output,
    /** Sends a signal to the whole process group and waits for the exit. */
    async kill(signal = "SIGKILL") {
      killGroup(child, signal);
      await exited(child);
      if (signal === "SIGKILL") await groupGone(child.pid);
    },
    /** Stops gracefully (SIGTERM, then SIGKILL after 10 s); removes a state folder it made. */
    async stop({ removeData = ownsDir } = {}) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 10_000);
      await exited(child);
      clearTimeout(timer);
      killGroup(child, "SIGKILL"); // anything of the group that outlived its parent
      await groupGone(child.pid);
      if (removeData) rmSync(persistTo, { recursive: true, force: true });
    },
    /** Starts again on the same port and state folder (after kill() or stop({removeData:false})). */
    restart(more = {}) {
      return startService({ vars, port, persistTo, log, ...more });
    },
  };

  try {
    await waitUntilAnswering(baseUrl, child, timeoutMs);
  } catch (err) {
    await service.kill("SIGKILL");
    if (ownsDir) rmSync(persistTo, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- service output ---\n${output}`);
  }
  if (build) webBuilt = true;
  return service;
}

async function waitUntilAnswering(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the service exited before answering (${child.signalCode ?? `exit ${child.exitCode}`})`);
    }
    try {
      // Any HTTP answer means the Worker is up; /api/me answers 401 without a token.
      const res = await fetch(`${baseUrl}/api/me`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the service did not answer on ${baseUrl} within ${timeoutMs} ms`);
}

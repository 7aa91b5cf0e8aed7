// The things the load generator drives the same way: the service (npm start,
// through its port), the store-and-relay Durable Object (the same runtime,
// the least a durable room can do) and the bare ws baseline (its own process,
// so every side pays for crossing a socket between processes). Each names its
// socket URLs (`socketUrl`, `inboxUrl`) and whether a socket opens with a welcome.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startService } from "../../test/e2e/helpers/service.mjs";
import { pool } from "./connect.mjs";
import { groupCpuByProcess, groupCpuSeconds, processCpuSeconds } from "./cpu.mjs";
import { startRelay } from "./relay.mjs";
import { loadSdk } from "./sdk.mjs";

const here = fileURLToPath(new URL("..", import.meta.url));
const PASSWORD = "bench password 1";

/**
 * Where the service keeps its local state: on tmpfs when there is one, so a
 * run measures the runtime rather than this machine's disk flushes (a local
 * SQLite commit waits for fsync; the platform's storage does not use a local
 * disk). `disk: true` keeps it in the temp folder on disk instead.
 */
function stateDir(disk) {
  const base = !disk && existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
  return { dir: mkdtempSync(join(base, "edge-chat-bench-")), onTmpfs: base === "/dev/shm" };
}

/**
 * Bytes in the Durable Objects' SQLite files under a wrangler state folder:
 * the databases, and their write-ahead logs (pages not yet checkpointed into them).
 */
function objectStorageBytes(dir) {
  const total = { sqlite: 0, wal: 0 };
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".sqlite")) total.sqlite += statSync(path).size;
      else if (entry.name.endsWith(".sqlite-wal")) total.wal += statSync(path).size;
    }
  };
  const objects = join(dir, "v3", "do");
  if (existsSync(objects)) walk(objects);
  return total;
}

/**
 * The service on a free port of 127.0.0.1 with fresh state, limits raised for
 * load: the benchmark measures how fast it goes, and a budget would measure
 * itself (the 1:1 sends back to back, about 100 frames a second per socket,
 * the frame budget's sustained rate). `defaultBudgets` keeps the socket frame
 * budget as deployed, for the flood scenario, which measures that budget.
 */
export async function serviceTarget({ disk = false, name = "service", vars = {}, defaultBudgets = false } = {}) {
  const state = stateDir(disk);
  const service = await startService({
    build: false,
    persistTo: state.dir,
    vars: { SEND_RATE_LIMIT: "1000000", MAX_SOCKETS_PER_USER: "100000", MAX_CHANNELS_PER_USER: "100000", ...(defaultBudgets ? {} : { SOCKET_FRAME_RATE_LIMIT: "1000000" }), ...vars },
  });
  const { HttpClient } = await loadSdk();
  const run = Date.now().toString(36).slice(-6);
  let made = 0;
  const ws = service.baseUrl.replace("http", "ws");
  return {
    name,
    baseUrl: service.baseUrl,
    pid: service.pid,
    // batch=2, as the SDK asks: a busy channel sends several messages, or several frames, per frame (docs/protocol.md).
    socketUrl: (channelId, device) => `${ws}/api/channels/${channelId}/socket?device=${device}&batch=2`,
    inboxUrl: (device) => `${ws}/api/inbox/socket?device=${device}`,
    welcomes: true,
    /** `n` new accounts: { token, userId, handle }. */
    async users(n) {
      const ids = Array.from({ length: n }, () => made++);
      return pool(ids, 4, async (i) => {
        const http = new HttpClient({ baseUrl: service.baseUrl });
        const { user, token } = await http.signup({ handle: `b${run}_${i}`, password: PASSWORD, displayName: `Bench ${i}` });
        return { token, userId: user.id, handle: user.handle };
      });
    },
    /** A group of these members, created by the first; its channel id. */
    async group(members, title = "bench") {
      const http = new HttpClient({ baseUrl: service.baseUrl, token: members[0].token });
      const channel = await http.createGroup({ title, members: members.slice(1).map((m) => m.handle) });
      return channel.id;
    },
    async dm(a, b) {
      const http = new HttpClient({ baseUrl: service.baseUrl, token: a.token });
      return (await http.openDm(b.handle)).id;
    },
    stateOnTmpfs: state.onTmpfs,
    /** CPU seconds of npm start's whole process group: wrangler (Node) and both workerd processes. */
    cpuSeconds: () => groupCpuSeconds(service.pid),
    cpuByProcess: () => groupCpuByProcess(service.pid),
    storageBytes: () => objectStorageBytes(state.dir),
    async stop() {
      await service.stop();
      rmSync(state.dir, { recursive: true, force: true });
    },
  };
}

/** The bare ws broadcast server in its own Node process. */
export async function baselineTarget() {
  const child = spawn(process.execPath, [`${here}baseline-server.mjs`, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`baseline server exited (${code})`)));
    child.stdout.on("data", (chunk) => {
      const m = String(chunk).match(/listening (\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  let made = 0;
  let rooms = 0;
  return {
    name: "baseline",
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid,
    socketUrl: (channelId) => `ws://127.0.0.1:${port}/api/channels/${channelId}/socket`,
    inboxUrl: () => `ws://127.0.0.1:${port}/api/inbox/socket`,
    welcomes: true,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async users(n) {
      return Array.from({ length: n }, () => {
        const id = `u${made++}`;
        return { token: id, userId: id, handle: id };
      });
    },
    async group() {
      return `room${rooms++}`;
    },
    async dm() {
      return `room${rooms++}`;
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The store-and-relay Durable Object (bench/relay, `?anchor=store`) under wrangler dev, like the service. */
export async function storeRelayTarget() {
  const relay = await startRelay();
  const ws = relay.baseUrl.replace("http", "ws");
  let made = 0;
  let rooms = 0;
  return {
    name: "storeRelay",
    baseUrl: relay.baseUrl,
    pid: relay.pid,
    socketUrl: (channelId) => `${ws}/api/channels/${channelId}/socket?anchor=store`,
    welcomes: false,
    cpuSeconds: () => groupCpuSeconds(relay.pid),
    cpuByProcess: () => groupCpuByProcess(relay.pid),
    async users(n) {
      return Array.from({ length: n }, () => ({ token: null, userId: `u${made}`, handle: `u${made++}` }));
    },
    async group() {
      return `store-${Date.now().toString(36)}-${rooms++}`;
    },
    async dm() {
      return `store-dm-${Date.now().toString(36)}-${rooms++}`;
    },
    stop: relay.stop,
  };
}

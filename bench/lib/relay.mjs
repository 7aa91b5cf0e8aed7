// Starts the relay-only Durable Object (bench/relay) with wrangler dev on a
// free port of 127.0.0.1, in its own process group with its own state folder.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, groupMembers } from "../../test/e2e/helpers/service.mjs";
import { wranglerBin as wrangler } from "../../scripts/wrangler-bin.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

export async function startRelay({ timeoutMs = 90_000 } = {}) {
  const port = await freePort();
  // Its own devtools port too: the default (9229) is taken whenever another wrangler dev runs.
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), "edge-chat-relay-"));
  const child = spawn(process.execPath, [wrangler, "dev", "-c", "bench/relay/wrangler.toml", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistTo, "--inspector-port", String(inspectorPort)], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
  });
  let output = "";
  const collect = (c) => (output = (output + c).slice(-5000));
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const kill = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  process.on("exit", () => kill("SIGKILL"));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await (await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2000) })).body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) {
        kill("SIGKILL");
        throw new Error(`relay did not start\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    baseUrl,
    pid: child.pid,
    async stop() {
      kill("SIGTERM");
      const until = Date.now() + 10_000;
      while (groupMembers(child.pid).length > 0) {
        if (Date.now() > until) kill("SIGKILL");
        await new Promise((r) => setTimeout(r, 50));
      }
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

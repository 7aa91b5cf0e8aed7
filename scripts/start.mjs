// `npm start`: build the web app, make local secrets, migrate the local D1
// database, then run `wrangler dev`. Extra arguments go to `wrangler dev`
// (e.g. `npm start -- --port 9000 --ip 127.0.0.1 --persist-to /tmp/chat`).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { wranglerBin as wrangler } from "./wrangler-bin.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
// No telemetry, and no fetch of Request.cf from Cloudflare (the app does not use it; works offline).
const env = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? "false",
};

/** Runs a node script to completion; a failure stops the start. */
function step(label, scriptArgs, extraEnv = {}) {
  const r = spawnSync(process.execPath, scriptArgs, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  if (r.status !== 0) {
    console.error(`start: ${label} failed (${r.signal ?? `exit ${r.status}`})`);
    process.exit(r.status || 1);
  }
}

/** The value of `--name VALUE` or `--name=VALUE` among the arguments, if any. */
function option(name) {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  return args[i].includes("=") ? args[i].slice(name.length + 1) : args[i + 1];
}

// (a) The web app. SKIP_WEB_BUILD=1 lets tests that restart often build once.
if (existsSync(`${root}scripts/build-web.mjs`) && process.env.SKIP_WEB_BUILD !== "1") {
  step("building the web app", ["scripts/build-web.mjs"]);
}
if (!existsSync(`${root}dist/web/index.html`)) {
  // wrangler's [assets] needs the folder; a placeholder keeps the API usable without the app.
  mkdirSync(`${root}dist/web`, { recursive: true });
  writeFileSync(`${root}dist/web/index.html`, "<!doctype html><title>edge-chat</title><p>The web app is not built.</p>\n");
}

// (b) Local VAPID keys in .dev.vars.
step("creating .dev.vars", ["scripts/ensure-dev-vars.mjs"]);

// (c) D1 migrations; applying them again is a no-op. CI=true skips the confirmation prompt.
const persistTo = option("--persist-to");
step(
  "applying D1 migrations",
  [wrangler, "d1", "migrations", "apply", "DB", "--local", ...(persistTo ? ["--persist-to", persistTo] : [])],
  { CI: "true" },
);

// (d) The service itself, on wrangler's default port 8787 unless --port says otherwise.
const child = spawn(process.execPath, [wrangler, "dev", ...args], { cwd: root, stdio: "inherit", env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));

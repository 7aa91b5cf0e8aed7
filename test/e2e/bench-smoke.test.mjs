// The benchmark's smoke mode (`node bench/run.mjs --smoke`): every scenario
// completes against the service and the baseline with tiny counts, results
// are written, and nothing it started is left running. No timing is asserted.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";

const root = fileURLToPath(new URL("../..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "edge-chat-bench-smoke-"));
after(() => rmSync(out, { recursive: true, force: true }));

function runBench(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["bench/run.mjs", ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

test("bench --smoke runs every scenario on both targets, writes its results and stops what it started", { timeout: 300_000 }, async () => {
  const { code, output } = await runBench(["--smoke", "--results-dir", out]);
  assert.equal(code, 0, output.slice(-4000));
  assert.match(output, /\| scenario +\| measure/);

  const files = readdirSync(out);
  const json = files.find((f) => /^smoke-.*\.json$/.test(f));
  assert.ok(json, `no results file in ${files.join(", ")}`);
  assert.ok(files.includes(json.replace(/\.json$/, ".svg")), "no chart next to the results");
  assert.match(readFileSync(join(out, json.replace(/\.json$/, ".svg")), "utf8"), /^<svg /);

  const result = JSON.parse(readFileSync(join(out, json), "utf8"));
  assert.equal(result.error, undefined);
  for (const name of ["oneToOne", "group", "inbox", "catchUp"]) {
    for (const side of ["service", "baseline"]) assert.ok(result.scenarios[name]?.[side], `${name} on ${side} missing`);
  }
  assert.equal(result.scenarios.oneToOne.service.delivery.n, result.config.oneToOne.roundTrips);
  // Every rate of the group: each round on its own and all of them pooled, everything delivered.
  for (const rate of result.config.group.rates) {
    const run = result.scenarios.group.service.byRate[rate];
    assert.equal(run.rounds.length, result.config.group.rounds);
    assert.ok(run.expected > 0);
    assert.equal(run.delivered, run.expected);
    assert.equal(run.delivery.n, run.expected);
  }
  assert.ok(result.scenarios.sweep.service.keepsUpMessagesPerSec > 0);
  assert.equal(result.scenarios.catchUp.service.messages, result.config.catchUp.messages);
  assert.equal(result.scenarios.idle.service.points.length, result.config.idle.counts.length);
  assert.equal(result.scenarios.idle.relay.points.length, result.config.idle.counts.length);

  // Stopped: neither the service nor the baseline answers any more.
  for (const url of Object.values(result.endpoints)) {
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2_000) }), `${url} still answers`);
  }
});

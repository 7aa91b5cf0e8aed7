// `npm test`: every suite in turn, then one closing line "N passed, N failed".
//   unit    vitest in the Workers runtime (test/**/*.test.ts)
//   e2e     node --test on test/e2e/**/*.test.mjs (real service, real browser)
//   faults  node --test on test/faults/**/*.test.mjs (crashes, restarts)
// Choose suites with `npm test -- --only unit,e2e` or `--skip faults`
// (or TEST_ONLY / TEST_SKIP in the environment).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
const scratch = mkdtempSync(join(tmpdir(), "edge-chat-test-"));

function listOption(name, fallback) {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const value = i < 0 ? fallback : args[i].includes("=") ? args[i].slice(name.length + 1) : args[i + 1];
  return value ? value.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

/** Runs a command with its output on our stdout/stderr; resolves to its exit code. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: "inherit", env });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Test files under a folder, helpers excluded by name. */
function testFiles(dir) {
  if (!existsSync(join(root, dir))) return [];
  return readdirSync(join(root, dir), { recursive: true })
    .filter((f) => /\.test\.(mjs|cjs|js)$/.test(f))
    .map((f) => relative(root, join(root, dir, f)))
    .sort();
}

async function unit() {
  const report = join(scratch, "vitest.json");
  const code = await run(process.execPath, [
    "node_modules/vitest/vitest.mjs", "run",
    "--reporter=default", "--reporter=json", `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) return { passed: 0, failed: 1 };
  const r = JSON.parse(readFileSync(report, "utf8"));
  // A file that fails to load fails no test by name; count it so the run cannot look green.
  const failed = r.numFailedTests + (code !== 0 && r.numFailedTests === 0 ? 1 : 0);
  return { passed: r.numPassedTests, failed };
}

/** node --test, human output on stdout, TAP to a file for the counts. */
async function nodeSuite(name, dir) {
  const files = testFiles(dir);
  if (files.length === 0) {
    console.log(`(${name}: no tests in ${dir})`);
    return { passed: 0, failed: 0 };
  }
  const tap = join(scratch, `${name}.tap`);
  const code = await run(process.execPath, [
    "--test",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    "--test-reporter=tap", `--test-reporter-destination=${tap}`,
    ...files,
  ]);
  const text = existsSync(tap) ? readFileSync(tap, "utf8") : "";
  const count = (label) => Number(text.match(new RegExp(`^# ${label} (\\d+)$`, "m"))?.[1] ?? 0);
  const passed = count("pass");
  const failed = count("fail") + count("cancelled");
  return { passed, failed: failed + (code !== 0 && failed === 0 ? 1 : 0) };
}

const suites = { unit, e2e: () => nodeSuite("e2e", "test/e2e"), faults: () => nodeSuite("faults", "test/faults") };
const only = listOption("--only", process.env.TEST_ONLY);
const skip = listOption("--skip", process.env.TEST_SKIP);
for (const name of [...only, ...skip]) {
  if (!(name in suites)) {
    console.error(`unknown suite "${name}"; suites: ${Object.keys(suites).join(", ")}`);
    process.exit(2);
  }
}

const totals = { passed: 0, failed: 0 };
const lines = [];
for (const [name, suite] of Object.entries(suites)) {
  if ((only.length > 0 && !only.includes(name)) || skip.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const { passed, failed } = await suite();
  totals.passed += passed;
  totals.failed += failed;
  lines.push(`${name} suite: ${passed} passed, ${failed} failed`);
}
rmSync(scratch, { recursive: true, force: true });

console.log(`\n${lines.join("\n")}`);
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exitCode = totals.failed > 0 ? 1 : 0;

// Measures what each operation the bill counts costs the service (SQLite rows
// read and written, Durable Object requests, alarms, wall time) by running
// test/operation-counts.test.ts in the Workers runtime, and keeps its figures
// in bench/results/counts.json, which bench/cost.mjs reads. About 15 s.
//
//   node bench/counts.mjs
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = fileURLToPath(new URL("results/counts.json", import.meta.url));
const run = spawnSync("npx", ["vitest", "run", "test/operation-counts.test.ts"], { cwd: root, stdio: "inherit", env: { ...process.env, COUNTS_OUT: out } });
if (run.status === 0) console.log(`counts written to ${out}`);
process.exit(run.status ?? 1);

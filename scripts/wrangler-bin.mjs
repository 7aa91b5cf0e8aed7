// Where wrangler's CLI lives: its package has `exports`, so the bin is found
// through package.json rather than by requiring a path inside it.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const pkgPath = require.resolve("wrangler/package.json");
const bin = require(pkgPath).bin;
export const wranglerBin = join(dirname(pkgPath), typeof bin === "string" ? bin : bin.wrangler);

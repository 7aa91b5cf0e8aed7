// The project's client SDK (src/client, TypeScript) bundled for Node with
// esbuild, so the load generator speaks to the service through the same code
// as the web app. Built once per run into .tmp/ (git-ignored), removed after.
import { build } from "esbuild";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import WebSocket from "ws";

const root = fileURLToPath(new URL("../..", import.meta.url));
const outfile = join(root, ".tmp", `bench-sdk-${process.pid}.mjs`);
let loaded;

/** The SDK's exports, plus `WebSocket` (ws) to pass as its socket implementation. */
export function loadSdk() {
  loaded ??= (async () => {
    mkdirSync(join(root, ".tmp"), { recursive: true });
    await build({
      entryPoints: [join(root, "src/client/index.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "error",
    });
    const sdk = await import(pathToFileURL(outfile).href);
    return { ...sdk, WebSocket };
  })();
  return loaded;
}

export function cleanSdk() {
  rmSync(outfile, { force: true });
}

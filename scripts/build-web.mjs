// Builds the web app into dist/web (served by the Worker's static assets) and
// the client SDK into dist/sdk/index.mjs (for Node tests and benchmarks).
// Usage: node scripts/build-web.mjs (also importable: buildWeb(), buildSdk()).
import { copyFile, mkdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC_FILES = ["index.html", "styles.css", "sw.js", "icon.svg", "_headers"];

/** Bundles web/main.ts to <outdir>/app.js and copies the static files beside it. */
export async function buildWeb({ outdir = join(root, "dist/web"), minify = true } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, "web/main.tsx")],
    outfile: join(outdir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022", "chrome110", "firefox115", "safari16"],
    minify,
    sourcemap: "linked",
    legalComments: "none",
    // Preact through the automatic JSX runtime: no `h` import in every component.
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "warning",
  });
  await Promise.all(STATIC_FILES.map((f) => copyFile(join(root, "web", f), join(outdir, f))));
  return outdir;
}

/** Bundles the SDK (src/client) as one ESM file with its dependencies, runnable under Node and in browsers. */
export async function buildSdk({ outfile = join(root, "dist/sdk/index.mjs") } = {}) {
  await esbuild.build({
    entryPoints: [join(root, "src/client/index.ts")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    sourcemap: "inline",
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = Date.now();
  await Promise.all([buildWeb(), buildSdk()]);
  console.log(`built dist/web and dist/sdk in ${Date.now() - started} ms`);
}

// Builds the web app into dist/web (served by the Worker's static assets) and
// the client SDK into dist/sdk/index.mjs (for Node tests and benchmarks).
// Usage: node scripts/build-web.mjs (also importable: buildWeb(), buildSdk()).
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STATIC_FILES = ["index.html", "styles.css", "sw.js", "icon.svg", "icon-maskable.svg", "manifest.webmanifest", "_headers"];

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
  await writeFile(join(outdir, "emoji.json"), await emojiData());
  return outdir;
}

/**
 * The emoji picker's data, from @emoji-mart/data (Unicode 15, native set):
 * per category, [emoji, name, keywords] in the picker's order. A file of its
 * own (about 110 KB, fetched when the picker first opens), so the app's
 * bundle does not carry it.
 */
async function emojiData() {
  const file = createRequire(import.meta.url).resolve("@emoji-mart/data/sets/15/native.json");
  const data = JSON.parse(await readFile(file, "utf8"));
  const categories = data.categories.map((c) => ({
    id: c.id,
    emojis: c.emojis.map((id) => {
      const e = data.emojis[id];
      return [e.skins[0].native, e.name.toLowerCase(), e.keywords.filter((k) => !e.name.toLowerCase().includes(k)).join(" ")];
    }),
  }));
  return JSON.stringify(categories);
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

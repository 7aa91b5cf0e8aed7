// MLS in Chromium: time to create a group of 100 devices, to send (encrypt
// and one member's decrypt), and to add or remove one member, with the
// client module (src/client/e2ee, ts-mls) bundled as the web app would ship
// it. Each figure is also given as a ratio to the same operation in a group of
// 2 devices, measured in the same page (the anchor), since absolute times on
// a shared machine are noisy. Prints JSON; `--out file` writes it too.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { launchBrowser } from "../../test/e2e/helpers/browser.mjs";

const entry = fileURLToPath(new URL("./in-page.ts", import.meta.url));
const outfile = join(tmpdir(), `e2ee-bench-${process.pid}.js`);
const built = await esbuild.build({ entryPoints: [entry], bundle: true, minify: true, format: "iife", platform: "browser", target: "es2022", outfile, metafile: true });
const bundleBytes = Object.values(built.metafile.outputs)[0].bytes;
const gz = (await import("node:zlib")).gzipSync((await import("node:fs")).readFileSync(outfile)).length;

const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  // WebCrypto needs a secure context: a localhost page served by the route itself, no server.
  const script = (await import("node:fs")).readFileSync(outfile, "utf8");
  await page.route("http://localhost/**", (route) =>
    route.fulfill({ contentType: "text/html", body: `<!doctype html><script>${script.replace(/<\/script/gi, "<\\/script")}</script>` }),
  );
  await page.goto("http://localhost/bench");
  const [anchor, big] = await page.evaluate(() => globalThis.runE2eeBench([2, 100]));
  const ratio = (k) => +(big[k] / anchor[k]).toFixed(2);
  const result = {
    chromium: browser.version(),
    bundle: { bytes: bundleBytes, gzipBytes: gz, note: "client module + ts-mls + noble, minified, as the browser loads it" },
    anchor,
    group100: big,
    ratios: { create: ratio("createMs"), send: ratio("sendP50Ms"), add: ratio("addMs"), remove: ratio("removeMs") },
  };
  console.log(JSON.stringify(result, null, 2));
  const i = process.argv.indexOf("--out");
  if (i > 0) writeFileSync(process.argv[i + 1], JSON.stringify(result, null, 2) + "\n");
} finally {
  await browser.close();
}

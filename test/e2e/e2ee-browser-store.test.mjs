// The MLS module in a real Chromium: a device's group state survives a reload
// from IndexedDB, and what IndexedDB holds is sealed under a non-extractable
// AES-GCM key (no plaintext, no readable key).
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { launchBrowser } from "./helpers/browser.mjs";

let browser;
let dir;
let script;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "edge-chat-e2ee-page-"));
  const outfile = join(dir, "page.js");
  await esbuild.build({ entryPoints: [fileURLToPath(new URL("./fixtures/e2ee-store-page.ts", import.meta.url))], outfile, bundle: true, format: "esm", platform: "browser", target: "es2022", logLevel: "warning" });
  script = readFileSync(outfile, "utf8");
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a device's MLS state comes back after a reload, and IndexedDB holds only sealed bytes under a key that cannot be exported", { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // A localhost page (a secure context, for WebCrypto and IndexedDB) served by the route itself.
  await page.route("http://localhost/**", (route) => route.fulfill({ contentType: "text/html", body: `<!doctype html><script type="module">${script.replace(/<\/script/gi, "<\\/script")}</script>` }));
  await page.goto("http://localhost/app");
  await page.waitForFunction(() => typeof globalThis.setUp === "function");
  const secret = "meet at the lighthouse at nine";
  const sent = await page.evaluate((s) => globalThis.setUp(s), secret);

  await page.reload();
  await page.waitForFunction(() => typeof globalThis.afterReload === "function");
  const back = await page.evaluate(({ data, epoch }) => globalThis.afterReload(data, epoch), sent);
  assert.equal(back.epoch, 1);
  assert.deepEqual(back.members.sort(), ["u_alice", "u_bob"]);
  assert.equal(back.received.kind, "content");
  assert.equal(back.received.content.body, secret);

  const raw = await page.evaluate(() => globalThis.rawDump());
  assert.ok(raw.count >= 2, "the identity and the group state are stored");
  assert.equal(raw.exportable, false);
  assert.equal(raw.extractable, false);
  const all = Buffer.concat(raw.chunks.map((c) => Buffer.from(c)));
  assert.equal(all.includes(Buffer.from("u_alice")), false, "stored values are sealed: not even the identity shows");
  assert.equal(all.includes(Buffer.from("lighthouse")), false);
  await context.close();
});

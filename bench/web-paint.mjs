// The web app's cost with a long history, in real Chromium against the real
// service: with 50 (the anchor) and 2,000 messages loaded in a DM, how long a
// keystroke in the composer and an incoming message take to reach the screen,
// how many DOM nodes the page holds, and the JS heap after a GC. Figures are
// compared as ratios to the 50-message anchor measured in the same run.
//
//   node bench/web-paint.mjs                 prints a table, writes bench/results/web-paint-<stamp>.json
//   node bench/web-paint.mjs --messages 500  a smaller long history (quicker)
//   node bench/web-paint.mjs --label before  names the run in its file
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { composerBox, startDm, tokenOf } from "../test/e2e/helpers/browser.mjs";
import { channelIdOf, channelList, log, startStage } from "../test/e2e/helpers/stage.mjs";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
};
const LONG = Number(option("--messages", "2000"));
const ANCHOR = 50;
const SAMPLES = Number(option("--samples", "30"));
const label = option("--label", "run");
const root = fileURLToPath(new URL("..", import.meta.url));

// Records when a socket frame carrying a marker arrives, before the app's own listeners run.
const ARRIVAL_PROBE = () => {
  const Native = window.WebSocket;
  window.__arrivals = {};
  window.WebSocket = class extends Native {
    constructor(...a) {
      super(...a);
      this.addEventListener("message", (e) => {
        if (typeof e.data !== "string") return;
        for (const m of e.data.matchAll(/probe-\d+-\d+/g)) if (!(m[0] in window.__arrivals)) window.__arrivals[m[0]] = performance.now();
      });
    }
  };
};

/** Time from an input event to the frame after it (rAF, then a task: the paint has happened). */
async function keystrokes(page, n) {
  await composerBox(page).focus();
  await page.evaluate(() => {
    window.__keys = [];
    document.addEventListener(
      "keydown",
      (e) => {
        const t0 = e.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.__keys.push(performance.now() - t0), 0));
      },
      { capture: true },
    );
  });
  for (let i = 0; i < n; i++) {
    await page.keyboard.press(String.fromCharCode(97 + (i % 26)));
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(200);
  const samples = await page.evaluate(() => window.__keys);
  await composerBox(page).fill("");
  return samples;
}

/** Time from the socket frame of a new message to the frame after its text is in the DOM. */
async function incoming(page, send, n, tag) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const text = `probe-${tag}-${i}`;
    const painted = page.evaluate(
      (text) =>
        new Promise((resolve) => {
          const seen = () => {
            obs.disconnect();
            requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - window.__arrivals[text]), 0));
          };
          const obs = new MutationObserver(() => document.querySelector("[role=log]")?.textContent.includes(text) && seen());
          obs.observe(document.body, { subtree: true, childList: true, characterData: true });
        }),
      text,
    );
    await send(text);
    samples.push(await painted);
    await page.waitForTimeout(100);
  }
  return samples;
}

async function heapAndNodes(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("HeapProfiler.collectGarbage");
  await cdp.send("Performance.enable");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const domNodes = await page.evaluate(() => document.getElementsByTagName("*").length);
  await cdp.detach();
  return { domNodes, jsHeapMiB: Math.round((m.JSHeapUsedSize / 1048576) * 10) / 10 };
}

/** Scrolls the log to its top until the start of the conversation is there (every message loaded once). */
async function loadAll(page) {
  const start = log(page).getByText("This is the start of the conversation.");
  for (let i = 0; i < 400 && !(await start.isVisible()); i++) {
    await log(page).evaluate((el) => (el.scrollTop = 0));
    await page.waitForTimeout(150);
  }
  if (!(await start.isVisible())) throw new Error("history did not load to its start");
  await log(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await page.waitForTimeout(500);
}

const stats = (xs) => {
  // A sample without its socket arrival (the frame was not seen by the probe) is dropped and counted.
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const q = (p) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  return { n: s.length, dropped: xs.length - s.length, p50: q(0.5), p95: q(0.95), max: q(1) };
};

/** Posts bodies in order over HTTP, each with its own clientMsgId. */
async function post(baseUrl, token, channelId, bodies, idPrefix) {
  for (const [i, body] of bodies.entries()) {
    const res = await fetch(`${baseUrl}/api/channels/${channelId}/messages`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ clientMsgId: `${idPrefix}-${i}`, body }),
    });
    if (res.status !== 201) throw new Error(`seed: ${res.status} ${await res.text()}`);
  }
}

const stage = await startStage({ SEND_RATE_LIMIT: "100000" });
try {
  const reader = await stage.person("Reader Bench");
  await reader.context.addInitScript(ARRIVAL_PROBE);
  const result = { label, startedAt: new Date().toISOString(), samples: SAMPLES, runs: {} };
  for (const count of [ANCHOR, LONG]) {
    const writer = await stage.person(`Writer${count} Bench`);
    await startDm(writer.page, reader.handle);
    const channelId = channelIdOf(writer.page);
    const token = await tokenOf(writer.page);
    const bodies = Array.from({ length: count }, (_, i) => `message ${i + 1} of the history, a line of ordinary length to read`);
    await post(stage.service.baseUrl, token, channelId, bodies, `h${count}`);
    await reader.page.reload();
    await channelList(reader.page).getByRole("link", { name: new RegExp(`Writer${count} Bench`) }).click();
    await log(reader.page).getByText(bodies.at(-1), { exact: true }).waitFor();
    const loadStarted = Date.now();
    await loadAll(reader.page);
    const loadMs = Date.now() - loadStarted;
    const send = (text) => post(stage.service.baseUrl, token, channelId, [text], text);
    const run = {
      messages: count,
      loadAllMs: loadMs,
      keystrokeToPaintMs: stats(await keystrokes(reader.page, SAMPLES)),
      incomingToPaintMs: stats(await incoming(reader.page, send, Math.min(SAMPLES, 20), count)),
      ...(await heapAndNodes(reader.page)),
    };
    result.runs[count] = run;
    console.log(`[web-paint] ${count} messages: ${JSON.stringify(run)}`);
  }
  const a = result.runs[ANCHOR];
  const b = result.runs[LONG];
  const ratio = (x, y) => Math.round((x / y) * 100) / 100;
  result.ratioToAnchor = {
    keystrokeP50: ratio(b.keystrokeToPaintMs.p50, a.keystrokeToPaintMs.p50),
    incomingP50: ratio(b.incomingToPaintMs.p50, a.incomingToPaintMs.p50),
    domNodes: ratio(b.domNodes, a.domNodes),
    jsHeap: ratio(b.jsHeapMiB, a.jsHeapMiB),
  };
  console.log("\n| messages loaded | keystroke→paint p50/p95 ms | incoming→paint p50/p95 ms | DOM nodes | JS heap MiB |");
  console.log("|---|---|---|---|---|");
  for (const r of [a, b]) {
    console.log(`| ${r.messages} | ${r.keystrokeToPaintMs.p50} / ${r.keystrokeToPaintMs.p95} | ${r.incomingToPaintMs.p50} / ${r.incomingToPaintMs.p95} | ${r.domNodes} | ${r.jsHeapMiB} |`);
  }
  console.log(`ratio ${LONG}/${ANCHOR}: ${JSON.stringify(result.ratioToAnchor)}`);
  mkdirSync(`${root}bench/results`, { recursive: true });
  const file = `${root}bench/results/web-paint-${label}-${result.startedAt.replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  console.log(`results: ${file.slice(root.length)}`);
} finally {
  await stage.close();
}

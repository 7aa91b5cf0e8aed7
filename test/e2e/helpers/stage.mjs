// What every browser suite sets up: the service, one Chromium, and people
// who each sign up in their own browser context; plus the locators they share.
import assert from "node:assert/strict";
import { launchBrowser, openApp, signUp } from "./browser.mjs";
import { startService } from "./service.mjs";

/** Starts the service (with `vars`) and a browser; `close()` ends both and every context opened. */
export async function startStage(vars = {}) {
  const [started, launched] = await Promise.allSettled([startService({ vars }), launchBrowser()]);
  // One of the two failing must not leave the other running (the suite would hang).
  if (started.status === "rejected" || launched.status === "rejected") {
    if (started.status === "fulfilled") await started.value.stop();
    if (launched.status === "fulfilled") await launched.value.close();
    throw started.status === "rejected" ? started.reason : launched.reason;
  }
  const service = started.value;
  const browser = launched.value;
  const contexts = [];
  const people = [];
  let count = 0;
  return {
    service,
    browser,
    /** A new person in their own browser context, signed up through the form. */
    async person(displayName, options) {
      const app = await openApp(browser, service.baseUrl, options);
      contexts.push(app.context);
      const handle = `${displayName.split(" ")[0].toLowerCase()}_${Date.now().toString(36)}${count++}`;
      const someone = { ...app, handle, displayName };
      people.push(someone);
      await signUp(app.page, { handle, displayName });
      return someone;
    },
    /** For `afterEach`: when the test failed, what each person's page did during it (see pageTrace). */
    reportIfFailed(t) {
      const during = people.splice(0);
      if (t.passed) return;
      for (const p of during) console.log(`--- what ${p.displayName}'s page did (${t.name}) ---\n${p.trace.join("\n")}`);
    },
    /** Posts `bodies` into a channel over HTTP, as fast as the service allows. */
    async seed(token, channelId, bodies) {
      for (const [i, body] of bodies.entries()) {
        const res = await fetch(`${service.baseUrl}/api/channels/${channelId}/messages`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body: JSON.stringify({ clientMsgId: `seed-${i}`, body }),
        });
        assert.equal(res.status, 201, await res.text());
      }
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await service.stop();
    },
  };
}

export const log = (page) => page.getByRole("log");
export const channelList = (page) => page.getByRole("navigation", { name: "Channels" });
export const channelIdOf = (page) => decodeURIComponent(/#\/c\/(.+)$/.exec(page.url())[1]);
export const inLog = (page, text) => log(page).getByText(text, { exact: true });

/**
 * Every message's seq in the log, oldest first. The log is virtualised (only
 * rows near the viewport are in the DOM), so it is read by scrolling through
 * it from the top; each screenful must itself be in order with nothing twice.
 */
export async function seqsInLog(page) {
  return log(page).evaluate(async (el) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const seen = new Set();
    el.scrollTop = 0;
    await frame();
    await frame();
    for (let i = 0; i < 1000; i++) {
      const shown = [...el.querySelectorAll(".msg[data-seq]")].map((m) => Number(m.dataset.seq));
      if (shown.some((s, j) => j > 0 && s <= shown[j - 1])) throw new Error(`rows out of order or twice: ${shown.join(",")}`);
      for (const s of shown) seen.add(s);
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) break;
      el.scrollTop += Math.max(50, el.clientHeight * 0.7);
      await frame();
      await frame();
    }
    return [...seen].sort((a, b) => a - b);
  });
}

export function assertNoProblems(...people) {
  for (const p of people) assert.deepEqual(p.problems, [], `no page errors or CSP violations for ${p.displayName}`);
}

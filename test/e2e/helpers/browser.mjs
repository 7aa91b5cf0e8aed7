// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a
// network switch that really cuts the app's WebSockets: Chromium's offline
// mode leaves open sockets alone, so every socket goes through routeWebSocket,
// and going offline closes them and refuses new ones.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const SCREENSHOTS = fileURLToPath(new URL("../screenshots/", import.meta.url));

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * A new browser context (one person, one device) with the app open.
 * `network.offline()` / `network.online()` cut and restore HTTP and sockets.
 */
export async function openApp(browser, baseUrl, { viewport = { width: 1100, height: 760 }, colorScheme = "light" } = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, colorScheme });
  const page = await context.newPage();
  const problems = [];
  const trace = pageTrace(page, problems);

  let offline = false;
  const open = new Set();
  await page.routeWebSocket(/\/api\/.*socket/, (ws) => {
    if (offline) {
      ws.close({ code: 1006, reason: "offline" });
      return;
    }
    const server = ws.connectToServer();
    const entry = { ws, server };
    const path = new URL(ws.url()).pathname;
    trace.note(`socket open ${path}`);
    open.add(entry);
    ws.onClose((code, reason) => (open.delete(entry), trace.note(`socket closed by the page ${path} ${code ?? ""} ${reason ?? ""}`)));
    server.onClose((code, reason) => (open.delete(entry), trace.note(`socket closed by the server ${path} ${code ?? ""} ${reason ?? ""}`)));
  });

  const network = {
    get openSockets() {
      return open.size;
    },
    async offline() {
      offline = true;
      await context.setOffline(true);
      for (const { ws, server } of open) {
        await ws.close({ code: 1006, reason: "network lost" }).catch(() => {});
        await server.close().catch(() => {});
      }
      open.clear();
    },
    async online() {
      offline = false;
      await context.setOffline(false); // fires the page's "online" event
    },
  };
  await page.goto("/");
  return { context, page, network, problems, trace: trace.lines };
}

/**
 * What a page did, kept for a failing test's report (and its page errors and
 * CSP refusals into `problems`, which assertNoProblems checks): console output, HTTP
 * errors, failed or slow requests and socket opens and closes (the last 300,
 * with seconds since the page opened). A timeout alone says only what was
 * not seen; this says what happened instead.
 */
function pageTrace(page, problems) {
  const lines = [];
  const t0 = performance.now();
  const note = (text) => {
    lines.push(`${((performance.now() - t0) / 1000).toFixed(2)}s ${text}`);
    if (lines.length > 300) lines.shift();
  };
  const started = new Map();
  const where = (request) => `${request.method()} ${new URL(request.url()).pathname}`;
  page.on("console", (msg) => {
    note(`console.${msg.type()}: ${msg.text()}`);
    if (msg.type() === "error" && /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on("pageerror", (err) => {
    note(`page error: ${err.message}`);
    problems.push(`page error: ${err.message}`);
  });
  page.on("request", (request) => started.set(request, performance.now()));
  page.on("requestfailed", (request) => note(`request failed: ${where(request)} ${request.failure()?.errorText ?? ""}`));
  page.on("response", (response) => {
    const request = response.request();
    const took = performance.now() - (started.get(request) ?? performance.now());
    started.delete(request);
    if (response.status() >= 400 || took > 2000) note(`${response.status()} ${where(request)} in ${Math.round(took)} ms`);
  });
  return { lines, note };
}

/** Signs up through the form and waits for the channel list. */
export async function signUp(page, { handle, displayName, password = "correct horse battery" }) {
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill(displayName);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("navigation", { name: "Channels" }).waitFor();
}

/** Opens (or finds) the DM with `handle` through the "New direct message" control. */
export async function startDm(page, handle) {
  await page.getByRole("button", { name: "New direct message" }).click();
  const dialog = page.getByRole("dialog", { name: "New direct message" });
  await dialog.getByLabel("Handle").fill(handle);
  await dialog.getByRole("button", { name: "Start chat" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("log").waitFor();
}

/** The composer's box: exact, since other controls' labels ("Edit message") contain the word too. */
export function composerBox(page) {
  return page.getByLabel("Message", { exact: true });
}

export async function sendMessage(page, text) {
  await composerBox(page).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}

/** The session token the app keeps, for seeding data over HTTP. */
export async function tokenOf(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem("chat.session") ?? "null")?.token);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

// The web app in real Chromium against the real service: people in separate
// browser contexts sign up, chat in a DM and a group, lose the network and
// come back. Screenshots of the main screens go to test/e2e/screenshots/.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { composerBox, screenshot, sendMessage, startDm, tokenOf } from "./helpers/browser.mjs";
import { assertNoProblems, channelIdOf, channelList, inLog, log, seqsInLog, startStage } from "./helpers/stage.mjs";

let stage;
let person;
let seed;

describe("web app in Chromium", { timeout: 600_000 }, () => {
  before(async () => {
    // A high send limit lets a test seed a long history quickly.
    stage = await startStage({ SEND_RATE_LIMIT: "1000" });
    ({ person, seed } = stage);
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("serves the app with a strict Content-Security-Policy", async () => {
    const res = await fetch(`${stage.service.baseUrl}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get("content-security-policy") ?? "";
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self';", "frame-ancestors 'none'"]) {
      assert.ok(csp.includes(directive), `CSP has ${directive}: ${csp}`);
    }
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    // The SPA fallback serves the app for client routes too.
    const deep = await fetch(`${stage.service.baseUrl}/c/whatever`);
    assert.match(await deep.text(), /<div id="app"/);
  });

  test("two people chat in a DM: both ways, unread badge, typing, seen by", async () => {
    const alice = await person("Alice Liddell");
    const bob = await person("Bob Builder");
    await screenshot(bob.page, "home-empty");

    await startDm(alice.page, bob.handle);
    await sendMessage(alice.page, "Hi Bob! How are you?");
    await inLog(alice.page, "Hi Bob! How are you?").waitFor();

    // Bob is not looking at the DM: it shows up in his list with an unread badge and a preview.
    const dmLink = channelList(bob.page).getByRole("link", { name: /Alice Liddell/ });
    await dmLink.getByLabel("1 unread").waitFor();
    await dmLink.getByText("Hi Bob! How are you?").waitFor();
    await screenshot(bob.page, "sidebar-unread");

    await dmLink.click();
    await inLog(bob.page, "Hi Bob! How are you?").waitFor();
    await dmLink.getByLabel("1 unread").waitFor({ state: "detached" });
    // Bob read it: Alice sees the receipt.
    await log(alice.page).getByText("Seen by Bob Builder").waitFor();

    await log(bob.page).waitFor();
    await composerBox(bob.page).pressSequentially("Hello", { delay: 30 });
    await alice.page.getByText("Bob Builder is typing…").waitFor();
    await screenshot(alice.page, "dm-typing");
    await bob.page.getByRole("button", { name: "Send" }).click();
    await inLog(alice.page, "Hello").waitFor();
    await alice.page.getByText("Bob Builder is typing…").waitFor({ state: "detached" });

    // User text is text: markup in a message stays characters on the screen.
    await sendMessage(alice.page, "<b>not bold</b> <img src=x onerror=alert(1)>");
    await inLog(bob.page, "<b>not bold</b> <img src=x onerror=alert(1)>").waitFor();
    assert.equal(await log(bob.page).locator("b, img").count(), 0);
    await screenshot(bob.page, "dm-conversation");
    assertNoProblems(alice, bob);
  });

  test("a message typed while offline is delivered once when the network returns", async () => {
    const alice = await person("Alice Offline");
    const bob = await person("Bob Online");
    await startDm(alice.page, bob.handle);
    await sendMessage(alice.page, "before the outage");
    await channelList(bob.page).getByRole("link", { name: /Alice Offline/ }).click();
    await inLog(bob.page, "before the outage").waitFor();

    await alice.network.offline();
    await alice.page.getByRole("status").filter({ hasText: "Offline" }).waitFor();
    await sendMessage(alice.page, "typed while offline");
    const pendingRow = log(alice.page).locator(".msg", { hasText: "typed while offline" });
    await pendingRow.getByRole("img", { name: "Sending" }).waitFor();
    await screenshot(alice.page, "offline-pending");
    await bob.page.waitForTimeout(1500);
    assert.equal(await inLog(bob.page, "typed while offline").count(), 0, "nothing leaks out while offline");

    await alice.network.online();
    await inLog(bob.page, "typed while offline").waitFor();
    await pendingRow.getByRole("img", { name: "Sending" }).waitFor({ state: "detached" });
    await alice.page.getByRole("status").filter({ hasText: "Offline" }).waitFor({ state: "hidden" });
    await bob.page.waitForTimeout(1000);
    assert.equal(await inLog(bob.page, "typed while offline").count(), 1);
    assert.equal(await inLog(alice.page, "typed while offline").count(), 1);

    // Stored once: a fresh load of the history shows it once.
    await bob.page.reload();
    await inLog(bob.page, "typed while offline").waitFor();
    assert.equal(await inLog(bob.page, "typed while offline").count(), 1);
    assertNoProblems(alice, bob);
  });

  test("a group of three, and a fourth added later", async () => {
    const alice = await person("Alice Group");
    const bob = await person("Bob Group");
    const carol = await person("Carol Group");
    const dave = await person("Dave Group");

    await alice.page.getByRole("button", { name: "New group" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Group name").fill("Weekend trip");
    await dialog.getByLabel("Members").fill(`${bob.handle}, ${carol.handle}`);
    await dialog.getByRole("button", { name: "Create group" }).click();
    await log(alice.page).waitFor();
    await sendMessage(alice.page, "Where shall we go?");

    for (const [who, text] of [
      [bob, "The coast!"],
      [carol, "Mountains, please."],
    ]) {
      await channelList(who.page).getByRole("link", { name: /Weekend trip/ }).click();
      await inLog(who.page, "Where shall we go?").waitFor();
      await sendMessage(who.page, text);
      await inLog(who.page, text).waitFor();
    }
    const expected = ["Where shall we go?", "The coast!", "Mountains, please."];
    for (const who of [alice, bob, carol]) {
      await inLog(who.page, expected[2]).waitFor();
      assert.deepEqual(await log(who.page).locator(".msg-body").allTextContents(), expected, `${who.displayName} sees all three in order`);
    }
    // Others' messages carry their sender's name in a group.
    await log(alice.page).locator(".msg-sender", { hasText: "Bob Group" }).waitFor();
    await screenshot(alice.page, "group");

    await alice.page.getByRole("button", { name: "Add member" }).click();
    const add = alice.page.getByRole("dialog", { name: "Add member" });
    await add.getByLabel("Handle").fill(dave.handle);
    await add.getByRole("button", { name: "Add" }).click();
    await channelList(dave.page).getByRole("link", { name: /Weekend trip/ }).click();
    await inLog(dave.page, "Mountains, please.").waitFor();
    assertNoProblems(alice, bob, carol, dave);
  });

  test("one person in two tabs is two devices that both stay current", async () => {
    const alice = await person("Alice Tabs");
    const bob = await person("Bob Tabs");
    await startDm(bob.page, alice.handle);
    const dmId = channelIdOf(bob.page);

    const tab2 = await alice.context.newPage();
    await tab2.goto(`/#/c/${dmId}`);
    await alice.page.goto(`/#/c/${dmId}`);
    await log(tab2).waitFor();
    const devices = await Promise.all([alice.page, tab2].map((p) => p.evaluate(() => sessionStorage.getItem("chat.device"))));
    assert.notEqual(devices[0], devices[1], "each tab has its own device id");

    await sendMessage(bob.page, "to both tabs");
    await inLog(alice.page, "to both tabs").waitFor();
    await inLog(tab2, "to both tabs").waitFor();
    await sendMessage(alice.page, "from tab one");
    await inLog(tab2, "from tab one").waitFor();
    await inLog(bob.page, "from tab one").waitFor();
    assertNoProblems(alice, bob);
  });

  test("older history loads when scrolling up", async () => {
    const alice = await person("Alice History");
    const bob = await person("Bob History");
    await startDm(bob.page, alice.handle);
    const total = 130;
    await seed(await tokenOf(bob.page), channelIdOf(bob.page), Array.from({ length: total }, (_, i) => `history ${i + 1}`));

    await channelList(alice.page).getByRole("link", { name: /Bob History/ }).click();
    // Nothing read yet: the channel opens on its "New messages" line above the newest page.
    await log(alice.page).getByText("New messages", { exact: true }).waitFor();
    await log(alice.page).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await inLog(alice.page, `history ${total}`).waitFor();
    assert.equal(await inLog(alice.page, "history 1").count(), 0, "only the newest page at first");

    for (let i = 0; i < 10 && (await inLog(alice.page, "history 1").count()) === 0; i++) {
      await log(alice.page).evaluate((el) => (el.scrollTop = 0));
      await alice.page.waitForTimeout(400);
    }
    await inLog(alice.page, "history 1").waitFor();
    const seqs = await seqsInLog(alice.page);
    assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1), "every message once, oldest first");
    assertNoProblems(alice, bob);
  });

  test("fits a phone's width, in dark mode", async () => {
    const phone = { viewport: { width: 390, height: 844 }, colorScheme: "dark" };
    const alice = await person("Alice Phone", phone);
    const bob = await person("Bob Phone");
    await startDm(bob.page, alice.handle);
    await seed(await tokenOf(bob.page), channelIdOf(bob.page), ["Are you on your phone?", "It looks calm in the dark."]);

    await channelList(alice.page).getByRole("link", { name: /Bob Phone/ }).waitFor();
    await screenshot(alice.page, "phone-dark-list");
    await channelList(alice.page).getByRole("link", { name: /Bob Phone/ }).click();
    await inLog(alice.page, "It looks calm in the dark.").waitFor();
    await sendMessage(alice.page, "Yes, and it fits.");
    await inLog(alice.page, "Yes, and it fits.").waitFor();
    assert.equal(await channelList(alice.page).isVisible(), false, "one pane at a time");
    await screenshot(alice.page, "phone-dark-chat");
    await alice.page.getByRole("button", { name: "Back to channels" }).click();
    await channelList(alice.page).waitFor();
    const overflow = await alice.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no sideways scrolling");
    assertNoProblems(alice, bob);
  });

  test("a channel one is not in shows as not found, not as a lost connection", async () => {
    const alice = await person("Alice Lost");
    await alice.page.goto("/#/c/d_0123456789abcdef0123456789abcdef");
    await alice.page.getByRole("heading", { name: "Conversation not found" }).waitFor();
    await alice.page.waitForTimeout(2000); // longer than the banner's delay
    assert.equal(await alice.page.getByRole("status").filter({ hasText: "Offline" }).isVisible(), false);
  });

  test("the service worker turns a push into a notification that points at the channel", async () => {
    const alice = await person("Alice Push");
    await alice.context.grantPermissions(["notifications"], { origin: stage.service.baseUrl });
    await alice.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    const cdp = await alice.context.newCDPSession(alice.page);
    const registered = new Promise((resolve) =>
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL.startsWith(stage.service.baseUrl) && !r.isDeleted);
        if (mine) resolve(mine.registrationId);
      }),
    );
    await cdp.send("ServiceWorker.enable");
    const registrationId = await registered;
    const payload = { type: "message", channelId: "d_pushchannel0001", seq: 7, senderId: "u_someone", preview: "See you at eight" };
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: stage.service.baseUrl, registrationId, data: JSON.stringify(payload) });

    let shown = [];
    for (let i = 0; i < 50 && shown.length === 0; i++) {
      await alice.page.waitForTimeout(100);
      shown = await alice.page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({ title: n.title, body: n.body, data: n.data })),
      );
    }
    assert.equal(shown.length, 1);
    assert.equal(shown[0].title, "New message");
    assert.equal(shown[0].body, "See you at eight");
    assert.equal(shown[0].data.url, "/#/c/d_pushchannel0001");
  });

  test("log out returns to the form, and log in brings the conversations back", async () => {
    const alice = await person("Alice Session");
    const bob = await person("Bob Session");
    await startDm(alice.page, bob.handle);
    await sendMessage(alice.page, "still here after logging in again");
    await inLog(alice.page, "still here after logging in again").waitFor();

    await alice.page.getByRole("button", { name: "Log out" }).click();
    await alice.page.getByRole("button", { name: "Log in" }).waitFor();
    assert.equal(await tokenOf(alice.page), undefined, "the token is gone");

    await alice.page.getByLabel("Handle").fill(alice.handle.toUpperCase());
    await alice.page.getByLabel("Password").fill("wrong password");
    await alice.page.getByRole("button", { name: "Log in" }).click();
    await alice.page.getByRole("alert").getByText("Wrong handle or password.").waitFor();
    await alice.page.getByLabel("Password").fill("correct horse battery");
    await alice.page.getByRole("button", { name: "Log in" }).click();
    await channelList(alice.page).getByRole("link", { name: /Bob Session/ }).click();
    await inLog(alice.page, "still here after logging in again").waitFor();
    assertNoProblems(alice, bob);
  });
});

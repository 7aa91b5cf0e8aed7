// End-to-end encrypted channels in the web app, in real Chromium against the
// real service: two people on three devices (Bob on two browser contexts)
// talk in an encrypted group started with the "End-to-end encrypted"
// checkbox; the header shows the lock; the verify view shows the same safety
// code for a device on both sides; a member added later reads on but sees
// earlier messages as undecryptable; a removed member reads nothing after;
// search finds words in the decrypted local copy.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, afterEach, before, describe, test } from "node:test";
import { pdfLike, pngImage } from "./helpers/images.mjs";
import { openApp, sendMessage, tokenOf } from "./helpers/browser.mjs";
import { assertNoProblems, channelIdOf, channelList, inLog, log, startStage } from "./helpers/stage.mjs";

const UNDECRYPTABLE = /cannot be decrypted on this device/;

let stage;

/** Waits until this page's device has KeyPackages on the server (the app publishes them when it starts). */
async function published(who) {
  const token = await tokenOf(who.page);
  const device = await who.page.evaluate(() => sessionStorage.getItem("chat.device"));
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${stage.service.baseUrl}/api/e2ee/key-packages?device=${encodeURIComponent(device)}`, { headers: { Authorization: `Bearer ${token}` } });
    if (res.ok && (await res.json()).count > 0) return device;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${who.displayName}'s device never published KeyPackages`);
}

/** A second device of someone: a new browser context, logged in through the form. */
async function secondDevice(who) {
  const app = await openApp(stage.browser, stage.service.baseUrl);
  await app.page.getByLabel("Handle").fill(who.handle);
  await app.page.getByLabel("Password").fill("correct horse battery");
  await app.page.getByRole("button", { name: "Log in" }).click();
  await channelList(app.page).waitFor();
  return { ...app, handle: who.handle, displayName: `${who.displayName} (second device)` };
}

/** GET from the service as `who` (their page's session). */
async function getAs(who, path) {
  const res = await fetch(`${stage.service.baseUrl}/api${path}`, { headers: { Authorization: `Bearer ${await tokenOf(who.page)}` } });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  return JSON.parse(text);
}

/** `who` starts an encrypted group with `member` through the "New group" dialog; it opens with its lock. */
async function newEncryptedGroup(who, title, member) {
  await who.page.getByRole("button", { name: "New group" }).click();
  const dialog = who.page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name").fill(title);
  await dialog.getByLabel("Members").fill(member.handle);
  await dialog.getByRole("checkbox", { name: "End-to-end encrypted" }).check();
  await dialog.getByRole("button", { name: "Create group" }).click();
  await dialog.waitFor({ state: "detached" });
  await log(who.page).waitFor();
  await who.page.getByRole("button", { name: "End-to-end encrypted" }).waitFor();
}

async function openChannel(who, title) {
  await channelList(who.page).getByRole("link", { name: new RegExp(title) }).click();
  await log(who.page).waitFor();
}

/** The safety codes the verify view lists, by row name ("This device (web-…)", "Bob (web-…)"). */
async function safetyCodes(who) {
  await who.page.getByRole("button", { name: "End-to-end encrypted" }).click();
  const dialog = who.page.getByRole("dialog", { name: "Verify safety codes" });
  const list = dialog.getByRole("list", { name: "Safety codes" });
  await list.waitFor();
  const codes = {};
  for (const item of await list.getByRole("listitem").all()) {
    codes[await item.getAttribute("aria-label")] = (await item.locator(".safety-code").textContent()).trim();
  }
  await dialog.getByRole("button", { name: "Done" }).click();
  return codes;
}

describe("the web app: end-to-end encrypted channels", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage({ SEND_RATE_LIMIT: "100000" });
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("two people on three devices talk in an encrypted group; a member added later cannot read what came before; a removed one cannot read what follows", async () => {
    const alice = await stage.person("Alice Cipher");
    const bob = await stage.person("Bob Cipher");
    const bob2 = await secondDevice(bob);
    const carol = await stage.person("Carol Cipher");
    const bobDevice = await published(bob);
    await published(bob2);
    await published(carol);

    await newEncryptedGroup(alice, "Lighthouse", bob);

    await sendMessage(alice.page, "the key is under the third stone");
    await inLog(alice.page, "the key is under the third stone").waitFor();
    for (const device of [bob, bob2]) {
      await openChannel(device, "Lighthouse");
      await device.page.getByRole("button", { name: "End-to-end encrypted" }).waitFor();
      await inLog(device.page, "the key is under the third stone").waitFor();
    }
    await sendMessage(bob2.page, "got it, from my laptop");
    for (const device of [alice, bob, bob2]) await inLog(device.page, "got it, from my laptop").waitFor();

    // The verify view: Alice sees for Bob's first device the code Bob's device shows for itself.
    const aliceSees = await safetyCodes(alice);
    const bobSees = await safetyCodes(bob);
    assert.equal(Object.keys(aliceSees).length, 3, "Alice's device and Bob's two");
    const bobOwn = bobSees[`This device (${bobDevice})`];
    assert.match(bobOwn, /^(\d{5} ){11}\d{5}$/);
    assert.equal(aliceSees[`Bob Cipher (${bobDevice})`], bobOwn);

    // Search in an encrypted channel runs on the decrypted copy (the server holds no words).
    await bob.page.getByRole("searchbox", { name: "Search messages" }).fill("stone");
    await bob.page.getByRole("searchbox", { name: "Search messages" }).press("Enter");
    const results = bob.page.getByRole("region", { name: "Search results" });
    await results.getByRole("button", { name: /third stone/ }).waitFor();
    await results.getByRole("button", { name: "Close search results" }).click();

    // Carol joins later: she reads what follows, not what came before.
    await alice.page.getByRole("button", { name: "Add member" }).click();
    const add = alice.page.getByRole("dialog", { name: "Add member" });
    await add.getByLabel("Handle").fill(carol.handle);
    await add.getByRole("button", { name: "Add" }).click();
    await add.waitFor({ state: "detached" });
    await sendMessage(alice.page, "welcome carol");
    await openChannel(carol, "Lighthouse");
    await inLog(carol.page, "welcome carol").waitFor();
    assert.ok((await log(carol.page).getByText(UNDECRYPTABLE).count()) >= 2, "the two earlier messages say they cannot be decrypted");
    assert.equal(await inLog(carol.page, "the key is under the third stone").count(), 0);

    // Alice removes Carol: Carol's devices leave the group and cannot read what follows.
    await alice.page.getByRole("button", { name: "Members", exact: true }).click();
    const panel = alice.page.getByRole("region", { name: "Members" });
    await panel.getByRole("button", { name: "Remove Carol Cipher" }).click();
    await alice.page.getByRole("dialog", { name: "Remove Carol Cipher?" }).getByRole("button", { name: "Remove" }).click();
    await panel.getByText("Carol Cipher").waitFor({ state: "detached" });
    await sendMessage(alice.page, "carol must not read this");
    for (const device of [bob, bob2]) await inLog(device.page, "carol must not read this").waitFor();
    await channelList(carol.page).getByRole("link", { name: /Lighthouse/ }).waitFor({ state: "detached" });
    assert.equal(await inLog(carol.page, "carol must not read this").count(), 0);

    // Bob leaves by himself: his devices ask out, and Alice's device (online, in the channel) commits it.
    await bob.page.getByRole("button", { name: "Members", exact: true }).click();
    await bob.page.getByRole("region", { name: "Members" }).getByRole("button", { name: "Leave group" }).click();
    await bob.page.getByRole("dialog", { name: "Leave this group?" }).getByRole("button", { name: "Leave group" }).click();
    for (const device of [bob, bob2]) await channelList(device.page).getByRole("link", { name: /Lighthouse/ }).waitFor({ state: "detached" });
    await panel.getByText("Bob Cipher").waitFor({ state: "detached" });
    await sendMessage(alice.page, "only me now");
    await inLog(alice.page, "only me now").waitFor();

    assertNoProblems(alice, bob, bob2, carol);
  });

  test("a person's new device joins their encrypted group by itself: Bob opens a second browser later and reads on, with nobody adding it", async () => {
    const alice = await stage.person("Alice Harbour");
    const bob = await stage.person("Bob Harbour");
    await published(bob);
    await newEncryptedGroup(alice, "Harbour", bob);
    await sendMessage(alice.page, "before the new laptop");
    await openChannel(bob, "Harbour");
    await inLog(bob.page, "before the new laptop").waitFor();
    const channelId = channelIdOf(alice.page);

    // Bob's new device publishes KeyPackages; his first device, online, adds it by commit. Alice does nothing.
    const laptop = await secondDevice(bob);
    const laptopDevice = await published(laptop);
    let group;
    for (let i = 0; i < 100; i++) {
      group = await getAs(alice, `/channels/${channelId}/mls`);
      if (group.leaves.some((l) => l.device === laptopDevice)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(group.leaves.some((l) => l.device === laptopDevice), "the new device became a leaf of the group");
    const { messages } = await getAs(alice, `/channels/${channelId}/messages`);
    const adding = messages.filter((m) => m.mls.kind === "commit").at(-1);
    assert.equal(adding.senderId, (await getAs(bob, "/me")).user.id, "Bob's own device added it");
    const channel = (await getAs(alice, `/channels/${channelId}`)).channel;
    assert.equal(channel.members.length, 2, "the member list did not change");

    await sendMessage(alice.page, "hello to all of bob's devices");
    await openChannel(laptop, "Harbour");
    await inLog(laptop.page, "hello to all of bob's devices").waitFor();
    await log(laptop.page).getByText(UNDECRYPTABLE).waitFor();
    assert.equal(await inLog(laptop.page, "before the new laptop").count(), 0);
    await sendMessage(laptop.page, "typed on the new laptop");
    for (const device of [alice, bob]) await inLog(device.page, "typed on the new laptop").waitFor();
    assertNoProblems(alice, bob, laptop);
  });

  test("a photo and a file sent in an encrypted group arrive decrypted and byte-identical; the server stores only ciphertext", async () => {
    const alice = await stage.person("Alice Darkroom");
    const bob = await stage.person("Bob Darkroom");
    await published(bob);
    await newEncryptedGroup(alice, "Darkroom", bob);
    await openChannel(bob, "Darkroom");
    const png = pngImage(400, 300);
    const pdf = pdfLike(50_000);
    const [chooser] = await Promise.all([alice.page.waitForEvent("filechooser"), alice.page.getByRole("button", { name: "Attach files" }).click()]);
    await chooser.setFiles([
      { name: "secret-map.png", mimeType: "image/png", buffer: png },
      { name: "plans.pdf", mimeType: "application/pdf", buffer: pdf },
    ]);
    const tray = alice.page.getByRole("list", { name: "Attachments" });
    await alice.page.waitForFunction(() => [...document.querySelectorAll("[aria-label=Attachments] li")].filter((li) => /ready$/.test(li.textContent)).length === 2, null, { timeout: 60_000 });
    await sendMessage(alice.page, "the map and the plans");
    await tray.waitFor({ state: "detached" });

    await inLog(bob.page, "the map and the plans").waitFor();
    const photo = log(bob.page).getByRole("button", { name: "Open secret-map.png" });
    await photo.waitFor();
    const thumb = photo.locator("img");
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
    assert.match(await thumb.getAttribute("src"), /^blob:/, "the thumbnail was decrypted in the page");
    assert.deepEqual(await thumb.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [320, 240], "the thumbnail made in Alice's browser");
    await photo.click();
    const viewer = bob.page.getByRole("dialog", { name: "secret-map.png" });
    const full = viewer.getByRole("img", { name: "secret-map.png" });
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await full.elementHandle());
    assert.deepEqual(await full.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [400, 300]);
    const [saved] = await Promise.all([bob.page.waitForEvent("download"), viewer.getByRole("link", { name: "Download" }).click()]);
    assert.equal(saved.suggestedFilename(), "secret-map.png");
    assert.ok((await readFile(await saved.path())).equals(png), "the viewer shows and saves the very bytes Alice picked");
    await bob.page.keyboard.press("Escape");

    const chip = log(bob.page).getByRole("link", { name: /^plans\.pdf .* Download$/ });
    const [download] = await Promise.all([bob.page.waitForEvent("download"), chip.click()]);
    assert.equal(download.suggestedFilename(), "plans.pdf");
    assert.ok((await readFile(await download.path())).equals(pdf), "the download is the bytes Alice sent, decrypted");

    // What the server holds: ciphertext of the same length plus the GCM tag, under no real name or type.
    const channelId = channelIdOf(alice.page);
    const { messages } = await getAs(alice, `/channels/${channelId}/messages`);
    const sent = messages.find((m) => m.attachments?.length === 2);
    assert.ok(sent, "the message carries two attachments");
    assert.doesNotMatch(JSON.stringify(messages), /secret-map|plans\.pdf|image\/png|application\/pdf/);
    for (const [file, plain] of [[sent.attachments[0], png], [sent.attachments[1], pdf]]) {
      const res = await fetch(`${stage.service.baseUrl}${file.url}`);
      const raw = Buffer.from(await res.arrayBuffer());
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      assert.equal(raw.length, plain.length + 16);
      assert.ok(!raw.equals(plain) && raw.indexOf(plain.subarray(0, 64)) === -1, "the stored bytes are not the file");
    }
    assertNoProblems(alice, bob);
  });
});

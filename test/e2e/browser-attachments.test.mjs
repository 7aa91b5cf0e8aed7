// Photos and files in the web app, in real Chromium against the real service:
// one person pastes an image into the composer and watches its upload's
// progress bar; the other sees the thumbnail arrive (ThumbHash placeholder
// first) and opens the full-size viewer; a non-image file arrives as a chip
// whose download is the same bytes; an upload can be cancelled; a file past
// the size limit or the storage quota says why. No page errors and no CSP violations on either side.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, afterEach, before, describe, test } from "node:test";
import { axeProblems } from "./helpers/axe.mjs";
import { pdfLike } from "./helpers/images.mjs";
import { composerBox, screenshot, sendMessage, startDm } from "./helpers/browser.mjs";
import { assertNoProblems, channelList, inLog, log, startStage } from "./helpers/stage.mjs";

const MIB = 1024 * 1024;
const MAX_BYTES = 3 * MIB;
const USER_QUOTA = 2.5 * MIB;
let stage;

/** Pastes a `w` x `h` PNG (drawn in the page: a gradient with `specks`, or one flat colour for 0) into the composer, as pasting a screenshot does. */
async function pasteImage(page, name, w, h, specks = 4000) {
  await page.evaluate(
    async ([name, w, h, specks]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d");
      const gradient = ctx.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, "#f60");
      gradient.addColorStop(1, "#06f");
      ctx.fillStyle = specks > 0 ? gradient : "#3a7";
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < specks; i++) {
        ctx.fillStyle = `hsl(${i % 360} 80% 50%)`;
        ctx.fillRect((i * 7919) % w, (i * 104729) % h, 12, 12);
      }
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], name, { type: "image/png" }));
      document.getElementById("composer-input").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [name, w, h, specks],
  );
}

/** Drops a file of `size` bytes onto the conversation, as dragging one in from the desktop does. */
async function dropFile(page, name, size) {
  await page.evaluate(
    ([name, size]) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(size)], name, { type: "application/octet-stream" }));
      const target = document.querySelector("[role=log]");
      target.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [name, size],
  );
}

/** Picks files through the composer's attach button (the system file chooser). */
async function attachFiles(page, files) {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.getByRole("button", { name: "Attach files" }).click()]);
  await chooser.setFiles(files);
}

const tray = (page) => page.getByRole("list", { name: "Attachments" });

/** A DM between two new people, open on both sides. */
async function pair(a, b) {
  const alice = await stage.person(a);
  const bob = await stage.person(b);
  await startDm(alice.page, bob.handle);
  await channelList(bob.page).getByRole("link", { name: new RegExp(a) }).click();
  await log(bob.page).waitFor();
  return { alice, bob };
}

describe("photos and files in the web app", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage({ MAX_ATTACHMENT_BYTES: String(MAX_BYTES), USER_ATTACHMENT_QUOTA_BYTES: String(USER_QUOTA) });
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("a pasted photo uploads with a progress bar, reaches the other person as a thumbnail over its placeholder, and opens full size in the viewer", async (t) => {
    const { alice, bob } = await pair("Alice Photographer", "Bob Viewer");
    // Bob's thumbnail is held back until its placeholder has been seen, so the check does not race the load.
    let releaseThumb;
    const thumbHeld = new Promise((resolve) => (releaseThumb = resolve));
    await bob.page.route(/\/api\/files\/.+\/thumb\?/, async (route) => {
      await thumbHeld;
      await route.continue();
    });

    await composerBox(alice.page).click();
    const pastedAt = Date.now();
    await pasteImage(alice.page, "holiday.png", 3000, 2000);
    // Scaled in Alice's browser to 2560 px WebP before upload, so the name says WebP.
    const bar = alice.page.getByRole("progressbar", { name: "Uploading holiday.webp" });
    await bar.waitFor();
    await tray(alice.page).getByText(/ready$/).waitFor({ timeout: 60_000 });
    const readyMs = Date.now() - pastedAt;
    const sentBytes = await bar.evaluate((el) => (el.value === el.max ? el.max : -1));
    assert.ok(sentBytes > 1000, "the bar is full once the upload is done");
    t.diagnostic(`3000x2000 PNG pasted: ${sentBytes} bytes of WebP sent, ready in ${readyMs} ms (scaling, thumbnail and upload)`);
    assert.deepEqual(await axeProblems(alice.page), [], "the composer with an upload in its tray");
    // A message of a photo alone: no text needed.
    await composerBox(alice.page).press("Enter");
    await tray(alice.page).waitFor({ state: "detached" });
    await log(alice.page).getByRole("button", { name: "Open holiday.webp" }).waitFor();

    const shown = log(bob.page).getByRole("button", { name: "Open holiday.webp" });
    await shown.waitFor({ timeout: 30_000 });
    const thumb = shown.locator("img");
    const first = await thumb.evaluate((img) => {
      const box = img.getBoundingClientRect();
      return { src: img.getAttribute("src"), placeholder: getComputedStyle(img).backgroundImage, ratio: box.width / box.height, loaded: img.complete && img.naturalWidth > 0 };
    });
    assert.match(first.src, /^\/api\/files\/.+\/thumb\?e=\d+&s=/);
    assert.equal(first.loaded, false, "the thumbnail is still held back");
    assert.match(first.placeholder, /^url\("data:image\/png/, "the placeholder paints before the thumbnail loads");
    assert.ok(Math.abs(first.ratio - 1.5) < 0.02, `shown at the photo's aspect ratio (${first.ratio})`);
    releaseThumb();
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
    const thumbSize = await thumb.evaluate((img) => [img.naturalWidth, img.naturalHeight]);
    assert.deepEqual(thumbSize, [320, 213], "the client-made 320 px thumbnail, not the photo, is shown inline");
    assert.ok(Math.abs((await thumb.evaluate((img) => img.getBoundingClientRect().width / img.getBoundingClientRect().height)) - 1.5) < 0.02, "same box once loaded");

    await shown.click();
    const viewer = bob.page.getByRole("dialog", { name: "holiday.webp" });
    await viewer.waitFor();
    assert.deepEqual(await axeProblems(bob.page), [], "the open viewer");
    const full = viewer.getByRole("img", { name: "holiday.webp" });
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await full.elementHandle());
    assert.deepEqual(await full.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [2560, 1707], "the photo as scaled in Alice's browser");
    await screenshot(bob.page, "attachment-viewer");
    await bob.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
    assert.equal(await shown.evaluate((el) => el === document.activeElement), true, "focus returns to the photo");

    // From the keyboard: the log stays one Tab stop, and the message's actions open the photo.
    assert.equal(await log(bob.page).locator("button:not([tabindex='-1']), a[href]:not([tabindex='-1'])").count(), 0);
    await log(bob.page).focus();
    await bob.page.keyboard.press("ArrowUp");
    await bob.page.keyboard.press("Enter");
    await bob.page.getByRole("menu").getByRole("menuitem", { name: "Open holiday.webp" }).click();
    await viewer.waitFor();
    await viewer.getByRole("button", { name: "Close" }).click();
    await viewer.waitFor({ state: "detached" });
    // The inbox says what was sent.
    await channelList(bob.page).getByText("Photo", { exact: true }).waitFor();
    await channelList(alice.page).getByText("You: Photo", { exact: true }).waitFor();
    assertNoProblems(alice, bob);
  });

  test("a non-image file arrives as a chip with name and size whose download is the same bytes; text rides along", async () => {
    const { alice, bob } = await pair("Alice Archivist", "Bob Receiver");
    const pdf = pdfLike(300_000);
    await attachFiles(alice.page, { name: "minutes.pdf", mimeType: "application/pdf", buffer: pdf });
    await tray(alice.page).getByText("293 KB ready").waitFor({ timeout: 60_000 });
    await sendMessage(alice.page, "Minutes attached");

    const chip = log(bob.page).getByRole("link", { name: "minutes.pdf 293 KB Download" });
    await chip.waitFor({ timeout: 30_000 });
    await inLog(bob.page, "Minutes attached").waitFor();
    assert.deepEqual(await axeProblems(bob.page), [], "a conversation with a file chip");

    // "Original size" sends the photo as it is (still with a thumbnail made in the browser).
    await alice.page.getByLabel("Original size").check();
    await composerBox(alice.page).click();
    // One flat colour: the PNG stays within the test's 3 MiB upload limit.
    await pasteImage(alice.page, "scan.png", 3000, 2000, 0);
    await tray(alice.page).getByText(/ready$/).waitFor({ timeout: 60_000 });
    await composerBox(alice.page).press("Enter");
    const photo = log(bob.page).getByRole("button", { name: "Open scan.png" });
    await photo.waitFor({ timeout: 30_000 });
    const img = photo.locator("img");
    assert.match(await img.getAttribute("src"), /\/thumb\?/);
    await photo.click();
    const full = bob.page.getByRole("dialog", { name: "scan.png" }).getByRole("img", { name: "scan.png" });
    await bob.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await full.elementHandle());
    assert.deepEqual(await full.evaluate((el) => [el.naturalWidth, el.naturalHeight]), [3000, 2000], "the photo as pasted");
    await bob.page.keyboard.press("Escape");
    await screenshot(bob.page, "attachment-chip-and-photo");
    const [download] = await Promise.all([bob.page.waitForEvent("download"), chip.click()]);
    assert.equal(download.suggestedFilename(), "minutes.pdf");
    assert.ok((await readFile(await download.path())).equals(pdf), "the download is the bytes Alice sent");
    assertNoProblems(alice, bob);
  });

  test("an upload can be cancelled before sending; a file past the size limit, or past the storage quota, says why", async () => {
    const { alice, bob } = await pair("Alice Canceller", "Bob Waiter");
    // The upload of slow.bin is held on the way (never answered), so there is time to cancel it.
    await alice.page.route(/\/attachments\?name=slow\.bin/, () => {});
    const failed = alice.page.waitForEvent("requestfailed", (req) => req.url().includes("name=slow.bin"));
    await attachFiles(alice.page, { name: "slow.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(50_000, 7) });
    await alice.page.getByRole("progressbar", { name: "Uploading slow.bin" }).waitFor();
    await alice.page.getByRole("button", { name: "Cancel slow.bin" }).click();
    await tray(alice.page).waitFor({ state: "detached" });
    assert.match((await failed).failure()?.errorText ?? "", /ABORTED/i, "cancelling aborts the request");

    await attachFiles(alice.page, { name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(MAX_BYTES + 1, 1) });
    await tray(alice.page).getByRole("alert").filter({ hasText: "Too large: files are limited to 3.0 MB" }).waitFor({ timeout: 60_000 });
    // The failed upload stays (so it is seen) and is not sent; the text is.
    await sendMessage(alice.page, "No files after all");
    await inLog(bob.page, "No files after all").waitFor();
    assert.equal(await log(bob.page).locator(".attachments").count(), 0, "nothing attached arrived");
    await alice.page.getByRole("button", { name: "Remove huge.bin" }).click();
    await tray(alice.page).waitFor({ state: "detached" });

    // Dropped files: 2 MiB fits the 2.5 MiB quota (unsent uploads count), one more MiB does not.
    await dropFile(alice.page, "first.bin", 2 * MIB);
    await tray(alice.page).getByText("2.0 MB ready").waitFor({ timeout: 60_000 });
    await dropFile(alice.page, "second.bin", MIB);
    await tray(alice.page).getByRole("alert").filter({ hasText: "No storage left: attachments of one user are limited to 2.5 MB in all (2.0 MB in use)" }).waitFor({ timeout: 60_000 });
    assertNoProblems(alice, bob);
  });
});

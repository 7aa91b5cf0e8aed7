// Photos in the web app, in real Chromium against the real service: one
// person pastes an image into the composer, watches its upload's progress bar,
// sends it; the other sees the thumbnail (placeholder first) and opens the
// full-size viewer. No page errors and no CSP violations on either side.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { composerBox, startDm } from "./helpers/browser.mjs";
import { assertNoProblems, channelList, log, startStage } from "./helpers/stage.mjs";

let stage;

/** Pastes a `w` x `h` PNG (made in the page) into the composer, as a screenshot paste does. */
async function pasteImage(page, w, h) {
  await page.evaluate(
    async ([w, h]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d");
      const gradient = ctx.createLinearGradient(0, 0, w, h);
      gradient.addColorStop(0, "#f60");
      gradient.addColorStop(1, "#06f");
      ctx.fillStyle = gradient;
      ctx.fillRect(0, 0, w, h);
      for (let i = 0; i < 4000; i++) {
        ctx.fillStyle = `hsl(${i % 360} 80% 50%)`;
        ctx.fillRect((i * 7919) % w, (i * 104729) % h, 12, 12);
      }
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
      const data = new DataTransfer();
      data.items.add(new File([blob], "holiday.png", { type: "image/png" }));
      document.getElementById("composer-input").dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
    },
    [w, h],
  );
}

describe("photos in the web app", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage();
  });
  after(async () => {
    await stage?.close();
  });

  test("a pasted image uploads with a progress bar, reaches the other person as a thumbnail, and opens in the viewer", async () => {
    const alice = await stage.person("Alice Photographer");
    const bob = await stage.person("Bob Viewer");
    await startDm(alice.page, bob.handle);
    await channelList(bob.page).getByRole("link", { name: /Alice Photographer/ }).click();
    await log(bob.page).waitFor();

    await composerBox(alice.page).click();
    await pasteImage(alice.page, 3000, 2000);
    const bar = alice.page.getByRole("progressbar", { name: "Uploading holiday.png" });
    await bar.waitFor();
    await alice.page.getByText(/ready$/).waitFor({ timeout: 60_000 });
    assert.equal(await bar.evaluate((el) => el.value === el.max && el.max > 0), true, "the bar is full once the upload is done");
    await composerBox(alice.page).press("Enter");
    await alice.page.getByRole("list", { name: "Attachments" }).waitFor({ state: "hidden" });

    const shown = log(bob.page).getByRole("button", { name: /^Open holiday/ });
    await shown.waitFor({ timeout: 30_000 });
    const thumb = shown.locator("img");
    const before = await thumb.evaluate((img) => ({ src: img.getAttribute("src"), placeholder: getComputedStyle(img).backgroundImage, ratio: img.getBoundingClientRect().width / img.getBoundingClientRect().height }));
    assert.match(before.src, /^\/api\/files\/.+\/thumb\?e=\d+&s=/);
    assert.match(before.placeholder, /^url\("data:image\/png/, "the placeholder paints before the thumbnail loads");
    assert.ok(Math.abs(before.ratio - 1.5) < 0.05, `shown at the photo's aspect ratio (${before.ratio})`);
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
    assert.ok((await thumb.evaluate((img) => img.naturalWidth)) <= 320, "the thumbnail, not the photo, is shown inline");

    await shown.click();
    const viewer = bob.page.getByRole("dialog", { name: /^holiday/ });
    await viewer.waitFor();
    const full = viewer.locator("img");
    await bob.page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await full.elementHandle());
    // Scaled in Alice's browser to 2560 px on the long side (WebP) before upload.
    assert.deepEqual(await full.evaluate((img) => [img.naturalWidth, img.naturalHeight]), [2560, 1707]);
    await bob.page.keyboard.press("Escape");
    await viewer.waitFor({ state: "detached" });
    assertNoProblems(alice, bob);
  });
});

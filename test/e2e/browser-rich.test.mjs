// Rich messaging in the web app, in real Chromium against the real service:
// edit and delete from a message's menu, reactions, replies, @mention
// autocomplete and highlighting, and search with a jump into older history.
// Each person is a separate browser context; what one does, the other sees live.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { composerBox, screenshot, sendMessage, startDm, tokenOf } from "./helpers/browser.mjs";
import { assertNoProblems, channelIdOf, channelList, inLog, log, seqsInLog, startStage } from "./helpers/stage.mjs";

let stage;
let person;
let seed;

const exactly = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
/** The row of the message whose body is exactly `text` (not a reply quoting it). */
const row = (page, text) => log(page).locator(".msg").filter({ has: page.locator(".msg-body").filter({ hasText: exactly(text) }) });

/** Opens a message's menu and picks an item. */
async function messageAction(page, text, item) {
  const r = row(page, text);
  await r.hover();
  await r.getByRole("button", { name: /^Actions for / }).click();
  await page.getByRole("menu").getByRole("menuitem", { name: item, exact: true }).click();
}

async function openDmWith(page, name) {
  await channelList(page).getByRole("link", { name: new RegExp(name) }).click();
  await log(page).waitFor();
}

describe("rich messaging in the web app", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage({ SEND_RATE_LIMIT: "1000" });
    ({ person, seed } = stage);
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("edit and delete one's own message from its menu; the other person sees both live", async () => {
    const alice = await person("Alice Editor");
    const bob = await person("Bob Reader");
    await startDm(alice.page, bob.handle);
    await sendMessage(alice.page, "Lunch at noon?");
    await sendMessage(alice.page, "Bring the map");
    await openDmWith(bob.page, "Alice Editor");
    await inLog(bob.page, "Bring the map").waitFor();
    await sendMessage(bob.page, "Sure thing");
    await inLog(alice.page, "Sure thing").waitFor();

    // Only one's own messages can be edited or deleted: Bob's menu on Alice's message has neither.
    await row(bob.page, "Lunch at noon?").hover();
    await row(bob.page, "Lunch at noon?").getByRole("button", { name: /^Actions for / }).click();
    const bobMenu = bob.page.getByRole("menu");
    await bobMenu.getByRole("menuitem", { name: "Reply" }).waitFor();
    assert.deepEqual(await bobMenu.getByRole("menuitem").allTextContents(), ["React", "Reply"]);
    await bob.page.keyboard.press("Escape");
    await bobMenu.waitFor({ state: "hidden" });

    await row(alice.page, "Lunch at noon?").hover();
    await row(alice.page, "Lunch at noon?").getByRole("button", { name: /^Actions for / }).click();
    assert.deepEqual(await alice.page.getByRole("menu").getByRole("menuitem").allTextContents(), ["React", "Reply", "Edit", "Delete"]);
    await screenshot(alice.page, "rich-menu");
    await alice.page.getByRole("menu").getByRole("menuitem", { name: "Edit" }).click();

    const editBox = log(alice.page).getByLabel("Edit message");
    assert.equal(await editBox.inputValue(), "Lunch at noon?");
    await editBox.fill("Lunch at one?");
    await screenshot(alice.page, "rich-edit-in-place");
    await editBox.press("Enter");

    await inLog(bob.page, "Lunch at one?").waitFor();
    await row(bob.page, "Lunch at one?").getByText("(edited)").waitFor();
    assert.equal(await inLog(bob.page, "Lunch at noon?").count(), 0, "the old text is gone");
    await row(alice.page, "Lunch at one?").getByText("(edited)").waitFor();

    const seqsBefore = await seqsInLog(bob.page);
    await messageAction(alice.page, "Bring the map", "Delete");
    const confirm = alice.page.getByRole("dialog", { name: "Delete this message?" });
    await confirm.getByRole("button", { name: "Delete" }).click();

    // A tombstone in the same place, for both.
    await inLog(bob.page, "Bring the map").waitFor({ state: "detached" });
    for (const page of [alice.page, bob.page]) {
      const bodies = await log(page).locator(".msg-body").allTextContents();
      assert.deepEqual(bodies, ["Lunch at one?", "Message deleted", "Sure thing"]);
    }
    assert.deepEqual(await seqsInLog(bob.page), seqsBefore, "the deleted message keeps its place");
    assert.equal(await row(alice.page, "Message deleted").getByRole("button", { name: /^Actions for / }).count(), 0, "nothing to do with a tombstone");
    await screenshot(bob.page, "rich-edited-and-deleted");
    assertNoProblems(alice, bob);
  });

  test("an edit made while the other person was in another conversation shows when they come back", async () => {
    const alice = await person("Alice Away");
    const bob = await person("Bob Away");
    await startDm(alice.page, bob.handle);
    await sendMessage(alice.page, "first draft");
    await openDmWith(bob.page, "Alice Away");
    await inLog(bob.page, "first draft").waitFor();

    // Leaving the conversation closes its socket: the edit cannot arrive live.
    await bob.page.goto("/#/");
    await bob.page.getByRole("heading", { name: /Hello/ }).waitFor();
    await messageAction(alice.page, "first draft", "Edit");
    await log(alice.page).getByLabel("Edit message").fill("final version");
    await log(alice.page).getByLabel("Edit message").press("Enter");
    await inLog(alice.page, "final version").waitFor();

    await openDmWith(bob.page, "Alice Away");
    await inLog(bob.page, "final version").waitFor();
    assert.equal(await inLog(bob.page, "first draft").count(), 0);
    assertNoProblems(alice, bob);
  });

  test("reactions: pick one, counts and who reacted seen by both, toggle by clicking", async () => {
    const alice = await person("Alice Reacts");
    const bob = await person("Bob Reacts");
    await startDm(alice.page, bob.handle);
    await openDmWith(bob.page, "Alice Reacts");
    await sendMessage(bob.page, "The tests are green");
    await inLog(alice.page, "The tests are green").waitFor();

    await messageAction(alice.page, "The tests are green", "React");
    const picker = alice.page.getByRole("menu", { name: "Reactions" });
    await screenshot(alice.page, "rich-reaction-picker");
    await picker.getByRole("menuitemcheckbox", { name: "React with thumbs up" }).click();

    const chip = (page) => row(page, "The tests are green").getByRole("button", { name: /^👍/ });
    await chip(alice.page).and(alice.page.locator("[aria-pressed=true]")).waitFor();
    await chip(bob.page).waitFor();
    assert.equal(await chip(bob.page).getAttribute("aria-pressed"), "false", "Bob has not reacted");
    assert.match(await chip(bob.page).innerText(), /^👍\s*1$/);
    assert.match(await chip(bob.page).getAttribute("title"), /Alice Reacts reacted with 👍/);

    // Bob adds his: 2 for both, pressed for Bob.
    await chip(bob.page).click();
    await chip(alice.page).and(alice.page.locator(".reaction", { hasText: "2" })).waitFor();
    await chip(bob.page).and(bob.page.locator("[aria-pressed=true]")).waitFor();
    assert.match(await chip(alice.page).getAttribute("title"), /You and Bob Reacts|Bob Reacts and You/);
    await screenshot(bob.page, "rich-reactions");

    // Alice takes hers back: 1, for Bob's only.
    await chip(alice.page).click();
    await chip(alice.page).and(alice.page.locator("[aria-pressed=false]")).waitFor();
    await chip(bob.page).and(bob.page.locator(".reaction", { hasText: "1" })).waitFor();
    assert.match(await chip(bob.page).getAttribute("title"), /^You reacted/);

    // The picker shows which ones are already yours.
    await messageAction(bob.page, "The tests are green", "React");
    const bobPicker = bob.page.getByRole("menu", { name: "Reactions" });
    assert.equal(await bobPicker.getByRole("menuitemcheckbox", { name: "React with thumbs up" }).getAttribute("aria-checked"), "true");
    assert.equal(await bobPicker.getByRole("menuitemcheckbox", { name: "React with heart" }).getAttribute("aria-checked"), "false");
    await bobPicker.getByRole("menuitemcheckbox", { name: "React with party" }).click();
    await row(alice.page, "The tests are green").getByRole("button", { name: /^🎉 1/ }).waitFor();
    assertNoProblems(alice, bob);
  });

  test("reply: the quote shows above the composer, then in the message for both", async () => {
    const alice = await person("Alice Replies");
    const bob = await person("Bob Asks");
    await startDm(bob.page, alice.handle);
    await sendMessage(bob.page, "Which day works for you?");
    await sendMessage(bob.page, "Also, bring snacks");
    await openDmWith(alice.page, "Bob Asks");
    await inLog(alice.page, "Also, bring snacks").waitFor();

    await messageAction(alice.page, "Which day works for you?", "Reply");
    const replyBar = alice.page.locator(".reply-bar");
    await replyBar.getByText("Replying to").waitFor();
    assert.match(await replyBar.innerText(), /Bob Asks[\s\S]*Which day works for you\?/);
    await screenshot(alice.page, "rich-reply-composer");
    await sendMessage(alice.page, "Friday!");
    await replyBar.waitFor({ state: "hidden" });

    for (const page of [alice.page, bob.page]) {
      const quote = row(page, "Friday!").locator(".quote");
      await quote.waitFor();
      assert.match(await quote.innerText(), /Bob Asks[\s\S]*Which day works for you\?/);
    }
    await screenshot(bob.page, "rich-reply");

    // Escape cancels a reply: the next message is a plain one.
    await messageAction(alice.page, "Also, bring snacks", "Reply");
    await replyBar.waitFor();
    await composerBox(alice.page).press("Escape");
    await replyBar.waitFor({ state: "hidden" });
    await sendMessage(alice.page, "Will do");
    await inLog(bob.page, "Will do").waitFor();
    assert.equal(await row(bob.page, "Will do").locator(".quote").count(), 0);
    assertNoProblems(alice, bob);
  });

  test("@mention autocomplete inserts the handle; the mention is highlighted for the mentioned, with a badge in their list", async () => {
    const alice = await person("Alice Mentions");
    const bob = await person("Bob Mentioned");
    const carol = await person("Carol Mentioned");
    await alice.page.getByRole("button", { name: "New group" }).click();
    const dialog = alice.page.getByRole("dialog", { name: "New group" });
    await dialog.getByLabel("Group name").fill("Release crew");
    await dialog.getByLabel("Members").fill(`${bob.handle}, ${carol.handle}`);
    await dialog.getByRole("button", { name: "Create group" }).click();
    await log(alice.page).waitFor();
    await openDmWith(carol.page, "Release crew");

    const box = composerBox(alice.page);
    await box.pressSequentially("Thanks @bo", { delay: 20 });
    const suggestions = alice.page.getByRole("listbox", { name: "Mention someone" });
    await suggestions.getByRole("option", { name: /Bob Mentioned/ }).waitFor();
    assert.equal(await suggestions.getByRole("option").count(), 1, "only members matching the prefix");
    await screenshot(alice.page, "rich-mention-autocomplete");
    await box.press("Enter");
    assert.equal(await box.inputValue(), `Thanks @${bob.handle} `, "Enter inserts the handle, not a send");
    await box.pressSequentially("and @carol", { delay: 20 });
    await suggestions.getByRole("option", { name: /Carol Mentioned/ }).waitFor();
    await box.press("Tab");
    await box.pressSequentially("for <b>the</b> help");
    const text = `Thanks @${bob.handle} and @${carol.handle} for <b>the</b> help`;
    assert.equal(await box.inputValue(), text);
    await box.press("Enter");
    await inLog(alice.page, text).waitFor();

    // Bob is elsewhere: his list shows the mention.
    const groupLink = channelList(bob.page).getByRole("link", { name: /Release crew/ });
    await groupLink.getByLabel("1 mention").waitFor();
    await screenshot(bob.page, "rich-mention-badge");
    await groupLink.click();
    const bobRow = row(bob.page, text);
    await bobRow.waitFor();
    assert.deepEqual(await bobRow.locator(".mention").allTextContents(), [`@${bob.handle}`, `@${carol.handle}`]);
    assert.deepEqual(await bobRow.locator(".mention-me").allTextContents(), [`@${bob.handle}`], "Bob's own handle stands out for Bob");
    await groupLink.getByLabel("1 mention").waitFor({ state: "detached" });
    // Carol, who had the group open, sees her own handle highlighted instead.
    assert.deepEqual(await row(carol.page, text).locator(".mention-me").allTextContents(), [`@${carol.handle}`]);
    // Highlighting splits text, never parses it: the <b> stays characters.
    assert.equal(await log(bob.page).locator("b").count(), 0);
    await screenshot(bob.page, "rich-mention");
    assertNoProblems(alice, bob, carol);
  });

  test("search lists hits best first and jumps to an old one in context, loading the history around it", async () => {
    const alice = await person("Alice Searches");
    const bob = await person("Bob Writes");
    await startDm(bob.page, alice.handle);
    const total = 130;
    const bodies = Array.from({ length: total }, (_, i) => `history ${i + 1}`);
    bodies[6] = "history 7 mentions the pineapple once";
    bodies[119] = "pineapple pineapple pineapple";
    await seed(await tokenOf(bob.page), channelIdOf(bob.page), bodies);

    await openDmWith(alice.page, "Bob Writes");
    // Nothing read yet: the channel opens on its "New messages" line above the newest page.
    await log(alice.page).getByText("New messages", { exact: true }).waitFor();
    await log(alice.page).evaluate((el) => (el.scrollTop = el.scrollHeight));
    await inLog(alice.page, "history 130").waitFor();
    assert.equal(await inLog(alice.page, "history 8").count(), 0, "only the newest page at first");

    const search = alice.page.getByRole("searchbox", { name: "Search messages" });
    await search.fill("pineapple");
    await search.press("Enter");
    const results = alice.page.getByRole("region", { name: "Search results" });
    const hits = results.locator(".search-hit");
    await hits.nth(1).waitFor();
    assert.deepEqual(await hits.evaluateAll((els) => els.map((e) => Number(e.dataset.seq))), [120, 7], "best match first");
    assert.deepEqual(await hits.nth(1).locator("mark").allTextContents(), ["pineapple"]);
    await screenshot(alice.page, "rich-search-results");

    await hits.nth(1).click();
    const target = row(alice.page, "history 7 mentions the pineapple once");
    await target.waitFor();
    await results.waitFor({ state: "hidden" });
    // In context: its neighbours are there, it is on screen and pointed out.
    await inLog(alice.page, "history 6").waitFor();
    await inLog(alice.page, "history 8").waitFor();
    assert.match(await target.getAttribute("class"), /\bhighlight\b/);
    const inView = await target.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const l = el.closest("[role=log]").getBoundingClientRect();
      return r.top >= l.top && r.bottom <= l.bottom;
    });
    assert.ok(inView, "the hit is scrolled into view");
    await screenshot(alice.page, "rich-search-jump");

    // The history between the jump and the newest messages fills in (a gap scrolled into view loads), with nothing twice.
    let seqs = [];
    for (let i = 0; i < 10; i++) {
      seqs = await seqsInLog(alice.page);
      if (seqs.at(-1) === total && seqs.every((s, j) => j === 0 || s === seqs[j - 1] + 1)) break;
      await alice.page.waitForTimeout(300);
    }
    assert.equal(await log(alice.page).locator(".gap").count(), 0);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => seqs[0] + i), "one unbroken run of history");
    assert.equal(seqs.at(-1), total);
    assert.ok(seqs[0] <= 7);

    // A search for nothing that exists says so.
    await search.fill("zzyzx");
    await search.press("Enter");
    await results.getByText("No messages match “zzyzx”.").waitFor();
    await search.press("Escape");
    await results.waitFor({ state: "hidden" });
    assertNoProblems(alice, bob);
  });

  test("fits a phone in dark mode with a reply, reactions and a mention", async () => {
    const phone = { viewport: { width: 390, height: 844 }, colorScheme: "dark" };
    const alice = await person("Alice Dark", phone);
    const bob = await person("Bob Dark");
    await startDm(bob.page, alice.handle);
    await sendMessage(bob.page, `Hey @${alice.handle}, are we still on for tonight?`);
    await openDmWith(alice.page, "Bob Dark");
    await messageAction(alice.page, `Hey @${alice.handle}, are we still on for tonight?`, "Reply");
    await sendMessage(alice.page, "Yes! Seven o'clock.");
    await messageAction(bob.page, "Yes! Seven o'clock.", "React");
    await bob.page.getByRole("menu", { name: "Reactions" }).getByRole("menuitemcheckbox", { name: "React with heart" }).click();
    await row(alice.page, "Yes! Seven o'clock.").getByRole("button", { name: /^❤️ 1/ }).waitFor();
    await row(alice.page, `Hey @${alice.handle}, are we still on for tonight?`).locator(".mention-me").waitFor();
    const overflow = await alice.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(overflow, false, "no sideways scrolling");
    await screenshot(alice.page, "rich-phone-dark");
    // The menu stays inside a phone's screen.
    const theirs = row(alice.page, `Hey @${alice.handle}, are we still on for tonight?`);
    await theirs.getByRole("button", { name: /^Actions for / }).click();
    const menuBox = await alice.page.getByRole("menu").boundingBox();
    assert.ok(menuBox.x >= 0 && menuBox.x + menuBox.width <= 390, `menu within the width: ${JSON.stringify(menuBox)}`);
    await screenshot(alice.page, "rich-phone-dark-menu");
    await alice.page.keyboard.press("Escape");
    assertNoProblems(alice, bob);
  });
});

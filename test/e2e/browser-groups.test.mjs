// Managing a group in real Chromium against the real service: renaming it,
// the timeline lines every member sees (added, removed, left, renamed, a new creator),
// Remove offered to the creator only, and people search in the dialogs
// that start a DM or a group.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { tokenOf } from "./helpers/browser.mjs";
import { assertNoProblems, channelList, log, startStage } from "./helpers/stage.mjs";

let stage;
let person;

const line = (page, text) => log(page).locator(".timeline-event", { hasText: text });

async function newGroup(page, title, handles) {
  await page.getByRole("button", { name: "New group" }).click();
  const dialog = page.getByRole("dialog", { name: "New group" });
  await dialog.getByLabel("Group name").fill(title);
  await dialog.getByLabel("Members").fill(handles.join(", "));
  await dialog.getByRole("button", { name: "Create group" }).click();
  await dialog.waitFor({ state: "detached" });
  await log(page).waitFor();
}

describe("the web app: managing a group", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage();
    ({ person } = stage);
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("renaming shows for every member at once, with a line in the timeline; adds, removals and leaves are lines too; only the creator is offered Remove", async () => {
    const ana = await person("Ana Owner");
    const bo = await person("Bo Member");
    const cy = await person("Cy Member");
    await newGroup(ana.page, "Book club", [bo.handle]);

    // Bo has the group open when Ana renames it.
    await channelList(bo.page).getByRole("link", { name: /Book club/ }).click();
    await log(bo.page).waitFor();
    await ana.page.getByRole("button", { name: "Members", exact: true }).click();
    const panel = ana.page.getByRole("region", { name: "Members" });
    await panel.getByRole("button", { name: "Rename group" }).click();
    const rename = ana.page.getByRole("dialog", { name: "Rename group" });
    assert.equal(await rename.getByLabel("Group name").inputValue(), "Book club");
    await rename.getByLabel("Group name").fill("Reading circle");
    await rename.getByRole("button", { name: "Rename" }).click();
    await rename.waitFor({ state: "detached" });
    await ana.page.getByRole("heading", { name: "Reading circle" }).waitFor();
    await line(ana.page, "You renamed the group to “Reading circle”").waitFor();
    await bo.page.getByRole("heading", { name: "Reading circle" }).waitFor();
    await line(bo.page, "Ana Owner renamed the group to “Reading circle”").waitFor();
    await channelList(bo.page).getByRole("link", { name: /Reading circle/ }).waitFor();

    // An empty title is refused in the dialog, which stays open with the reason.
    await panel.getByRole("button", { name: "Rename group" }).click();
    const again = ana.page.getByRole("dialog", { name: "Rename group" });
    await again.getByLabel("Group name").fill("\u202eelcric");
    await again.getByRole("button", { name: "Rename" }).click();
    await again.getByRole("alert").filter({ hasText: /control, format or bidi/ }).waitFor();
    await again.getByRole("button", { name: "Cancel" }).click();
    await ana.page.getByRole("heading", { name: "Reading circle" }).waitFor();

    // Adding Cy is a line for everyone, Cy included.
    await ana.page.getByRole("button", { name: "Add member" }).click();
    const add = ana.page.getByRole("dialog", { name: "Add member" });
    await add.getByLabel("Handle").fill(cy.handle);
    await add.getByRole("button", { name: "Add" }).click();
    await line(ana.page, "You added Cy Member").waitFor();
    await line(bo.page, "Ana Owner added Cy Member").waitFor();
    await channelList(cy.page).getByRole("link", { name: /Reading circle/ }).click();
    await line(cy.page, "Ana Owner added you").waitFor();
    // The line that added Cy is not unread for Cy: no "New messages" above it.
    assert.equal(await log(cy.page).locator(".unread-line").count(), 0);

    // Bo is not the creator: no Remove buttons, but Leave and Rename.
    await bo.page.getByRole("button", { name: "Members", exact: true }).click();
    const boPanel = bo.page.getByRole("region", { name: "Members" });
    await boPanel.getByText("Cy Member").waitFor();
    await boPanel.getByText(/creator/).waitFor();
    assert.equal(await boPanel.getByRole("button", { name: /^Remove/ }).count(), 0);
    await boPanel.getByRole("button", { name: "Rename group" }).waitFor();

    // Ana removes Cy; Bo leaves.
    await panel.getByRole("button", { name: "Remove Cy Member" }).click();
    await ana.page.getByRole("dialog", { name: "Remove Cy Member?" }).getByRole("button", { name: "Remove" }).click();
    await line(bo.page, "Ana Owner removed Cy Member").waitFor();
    await boPanel.getByRole("button", { name: "Leave group" }).click();
    await bo.page.getByRole("dialog", { name: "Leave this group?" }).getByRole("button", { name: "Leave group" }).click();
    await line(ana.page, "Bo Member left").waitFor();
    await channelList(ana.page).getByRole("link", { name: /Reading circle/ }).getByText("Bo Member left").waitFor();

    // History read again from the server shows the same lines, in order.
    await ana.page.reload();
    await log(ana.page).waitFor();
    await line(ana.page, "Bo Member left").waitFor();
    const lines = await log(ana.page).locator(".timeline-event").evaluateAll((els) => els.map((e) => e.firstChild.textContent.trim()));
    assert.deepEqual(lines, ["You renamed the group to “Reading circle”", "You added Cy Member", "You removed Cy Member", "Bo Member left"]);
    assertNoProblems(ana, bo, cy);
  });

  test("a creator who leaves hands the group to the longest-standing member, who is told and offered Remove; no boot text is left above the app", async () => {
    const ana = await person("Ana Founder");
    const bo = await person("Bo Early");
    const cy = await person("Cy Later");
    await newGroup(ana.page, "Hand over", [bo.handle, cy.handle]);
    assert.equal(await ana.page.locator(".boot").count(), 0);
    await channelList(bo.page).getByRole("link", { name: /Hand over/ }).click();
    await log(bo.page).waitFor();
    await bo.page.getByRole("button", { name: "Members", exact: true }).click();
    const boPanel = bo.page.getByRole("region", { name: "Members" });
    await boPanel.getByText("Cy Later").waitFor();
    assert.equal(await boPanel.getByRole("button", { name: /^Remove/ }).count(), 0);

    await ana.page.getByRole("button", { name: "Members", exact: true }).click();
    await ana.page.getByRole("region", { name: "Members" }).getByRole("button", { name: "Leave group" }).click();
    await ana.page.getByRole("dialog", { name: "Leave this group?" }).getByRole("button", { name: "Leave group" }).click();
    await line(bo.page, "Ana Founder left").waitFor();
    await line(bo.page, "You are now the group's creator").waitFor();
    await boPanel.getByRole("button", { name: "Remove Cy Later" }).waitFor();
    await channelList(cy.page).getByRole("link", { name: /Hand over/ }).click();
    await line(cy.page, "Bo Early is now the group's creator").waitFor();
    assertNoProblems(ana, bo, cy);
  });

  test("two members who share a display name are told apart by their @handle beside it; a unique name stands alone", async () => {
    const tag = Date.now().toString(36).slice(-4);
    const viewer = await person(`Vi Viewer${tag}`);
    const real = await person(`Mia Twin${tag}`);
    const poser = await person(`Mia Twin${tag}`);
    const other = await person(`Oz Other${tag}`);
    const token = await tokenOf(real.page);
    const res = await fetch(`${stage.service.baseUrl}/api/channels`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "Twins", members: [viewer.handle, poser.handle, other.handle] }),
    });
    assert.equal(res.status, 201);
    const { channel } = await res.json();
    await stage.seed(token, channel.id, ["from the real one"]);
    await stage.seed(await tokenOf(poser.page), channel.id, ["from the poser"]);
    await stage.seed(await tokenOf(other.page), channel.id, ["from someone else"]);
    await channelList(viewer.page).getByRole("link", { name: /Twins/ }).click();
    const sender = (text) => log(viewer.page).locator(".msg", { hasText: text }).locator(".msg-sender");
    assert.equal(await sender("from the real one").textContent(), `Mia Twin${tag} (@${real.handle})`);
    assert.equal(await sender("from the poser").textContent(), `Mia Twin${tag} (@${poser.handle})`);
    assert.equal(await sender("from someone else").textContent(), `Oz Other${tag}`);
    assertNoProblems(viewer, real, poser, other);
  });

  test("people search: a DM starts from part of someone's name, and a group's members are picked one after another", async () => {
    const tag = Date.now().toString(36).slice(-4);
    const me = await person(`Quinn Seeker${tag}`);
    // Handles come from the first word of the name at signup: Élodie gets hers after.
    const elodie = await person(`Elodie Vance${tag}`);
    const renamed = await fetch(`${stage.service.baseUrl}/api/me`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${await tokenOf(elodie.page)}`, "Content-Type": "application/json" },
      body: JSON.stringify({ displayName: `Élodie Vance${tag}` }),
    });
    assert.equal(renamed.status, 200);
    const marc = await person(`Marc Vance${tag}`);

    await me.page.getByRole("button", { name: "New direct message" }).click();
    const dialog = me.page.getByRole("dialog", { name: "New direct message" });
    const field = dialog.getByRole("combobox", { name: "Handle" });
    await field.pressSequentially("elo");
    const people = dialog.getByRole("listbox", { name: "People" });
    await people.getByRole("option", { name: new RegExp(`Élodie Vance${tag}`) }).waitFor();
    // Nobody is offered themself.
    assert.equal(await people.getByRole("option", { name: /Quinn Seeker/ }).count(), 0);
    await field.press("Enter");
    assert.equal(await field.inputValue(), elodie.handle);
    await people.waitFor({ state: "detached" });
    await dialog.getByRole("button", { name: "Start chat" }).click();
    await me.page.getByRole("heading", { name: `Élodie Vance${tag}` }).waitFor();

    await me.page.getByRole("button", { name: "New group" }).click();
    const group = me.page.getByRole("dialog", { name: "New group" });
    await group.getByLabel("Group name").fill("Vances");
    const members = group.getByRole("combobox", { name: "Members" });
    await members.pressSequentially(`marc vance${tag}`);
    await group.getByRole("option", { name: new RegExp(`Marc Vance${tag}`) }).click();
    await members.pressSequentially("@" + elodie.handle.slice(0, 5));
    await group.getByRole("option", { name: new RegExp(`Élodie Vance${tag}`) }).waitFor();
    await members.press("ArrowDown");
    await members.press("ArrowUp");
    await members.press("Enter");
    assert.equal(await members.inputValue(), `${marc.handle}, ${elodie.handle}, `);
    // Nothing after the last comma: no list.
    assert.equal(await group.getByRole("listbox", { name: "People" }).count(), 0);
    await group.getByRole("button", { name: "Create group" }).click();
    await me.page.getByRole("heading", { name: "Vances" }).waitFor();
    await me.page.getByText(/3 members/).first().waitFor();
    assertNoProblems(me, elodie, marc);
  });
});

describe("the web app: finding things across conversations", { timeout: 600_000 }, () => {
  before(async () => {
    stage = await startStage({ SEND_RATE_LIMIT: "100000" });
    ({ person } = stage);
  });
  after(async () => {
    await stage?.close();
  });
  afterEach((t) => stage?.reportIfFailed(t));

  test("search of all conversations: hits grouped by conversation, and picking one opens that conversation at the message", async () => {
    const ana = await person("Ana Finder");
    const bo = await person("Bo Writer");
    const word = `walrus${Date.now().toString(36)}`;
    const token = await tokenOf(bo.page);
    const call = async (path, body) => {
      const res = await fetch(`${stage.service.baseUrl}/api${path}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const text = await res.text();
      assert.ok(res.status < 300, text);
      return JSON.parse(text);
    };
    const { channel: pair } = await call("/dms", { handle: ana.handle });
    const { channel: team } = await call("/channels", { title: "Zoo team", members: [ana.handle] });
    await stage.seed(token, pair.id, [`the ${word} in our DM`]);
    // Enough after the hit that opening the group does not show it without a jump.
    await stage.seed(token, team.id, [`a ${word} in the group`, ...Array.from({ length: 80 }, (_, i) => `filler ${i}`)]);

    await ana.page.getByRole("button", { name: "Search all conversations" }).click();
    const dialog = ana.page.getByRole("dialog", { name: "Search all conversations" });
    await dialog.getByRole("searchbox", { name: "Search all conversations" }).fill(word);
    await dialog.getByRole("status").filter({ hasText: "2 messages in 2 conversations" }).waitFor();
    await dialog.getByRole("region", { name: "Zoo team" }).getByRole("button", { name: /Bo Writer/ }).waitFor();
    await dialog.getByRole("region", { name: "Bo Writer" }).getByRole("button", { name: new RegExp(`the ${word} in our DM`) }).waitFor();
    await dialog.getByRole("region", { name: "Zoo team" }).getByRole("button", { name: new RegExp(`a ${word} in the group`) }).click();
    await dialog.waitFor({ state: "detached" });
    await ana.page.getByRole("heading", { name: "Zoo team" }).waitFor();
    const hit = log(ana.page).locator(".msg", { hasText: `a ${word} in the group` });
    await hit.waitFor();
    await ana.page.waitForFunction(() => document.activeElement?.closest(".msg")?.textContent.includes("in the group"));
    assertNoProblems(ana, bo);
  });

  test("jump to next mention: the button and Alt+M go to each message that mentions me after where I left off", async () => {
    const ana = await person("Ana Mentioned");
    const bo = await person("Bo Caller");
    const token = await tokenOf(bo.page);
    const res = await fetch(`${stage.service.baseUrl}/api/dms`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ handle: ana.handle }) });
    const { channel } = await res.json();
    const filler = (n, tag) => Array.from({ length: n }, (_, i) => `${tag} filler ${i}`);
    await stage.seed(token, channel.id, [...filler(30, "a"), `first ping @${ana.handle}`, ...filler(40, "b"), `second ping @${ana.handle}`, ...filler(40, "c")]);
    await channelList(ana.page).getByRole("link", { name: /Bo Caller/ }).click();
    const next = ana.page.getByRole("button", { name: "@ Next mention" });
    await next.click();
    const focused = () => ana.page.evaluate(() => document.activeElement?.closest(".msg")?.textContent ?? "");
    await ana.page.waitForFunction(() => document.activeElement?.closest(".msg")?.textContent.includes("first ping"));
    assert.match(await focused(), /first ping/);
    await ana.page.keyboard.press("Alt+m");
    await ana.page.waitForFunction(() => document.activeElement?.closest(".msg")?.textContent.includes("second ping"));
    // No mention after the last: the button goes.
    await next.waitFor({ state: "detached" });
    assertNoProblems(ana, bo);
  });
});

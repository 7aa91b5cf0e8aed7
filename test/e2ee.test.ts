import { describe, expect, inject, it } from "vitest";
import { MemoryStore, MlsDevice } from "../src/client/e2ee";
import { api, signup } from "./helpers/http";
import { pdfLike } from "./helpers/attachments";
import { CommitBarrier, deviceOf, sealedUpload } from "./helpers/e2ee";
import { getNotifications, subscribe } from "./helpers/push-receiver.mjs";
import { eventually, openSocket } from "./helpers/socket";

const texts = (received: { kind: string; content?: any }[]) => received.flatMap((r) => (r.kind === "content" && r.content.type === "text" ? [r.content.body] : []));

describe("e2ee: KeyPackages", () => {
  it("hands out one KeyPackage per device, each once, then the last-resort one again and again", async () => {
    const [alice, bob] = [await signup("kpa"), await signup("kpb")];
    const d = await MlsDevice.open(bob.user.id, "phone", new MemoryStore());
    const batch = await d.newKeyPackages(2, true);
    expect((await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "phone", ...batch } })).status).toBe(201);
    const laptop = await MlsDevice.open(bob.user.id, "laptop", new MemoryStore());
    await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "laptop", ...(await laptop.newKeyPackages(1)) } });

    const claim = () => api("POST", "/e2ee/key-packages/claim", { token: alice.token, json: { handle: bob.handle } });
    const first = (await claim()).body.keyPackages;
    expect(first.map((k: any) => k.device).sort()).toEqual(["laptop", "phone"]);
    const second = (await claim()).body.keyPackages;
    expect(second).toEqual([{ device: "phone", keyPackage: batch.keyPackages[1] }]);
    expect(new Set([...first, ...second].map((k: any) => k.keyPackage)).size).toBe(3);
    const third = (await claim()).body.keyPackages;
    const fourth = (await claim()).body.keyPackages;
    expect(third).toEqual([{ device: "phone", keyPackage: batch.lastResort, lastResort: true }]);
    expect(fourth).toEqual(third);
  });

  it("refuses a KeyPackage whose credential names another user or device, keeping none of the batch", async () => {
    const [alice, bob] = [await signup("kpc"), await signup("kpd")];
    const forged = await (await MlsDevice.open(alice.user.id, "phone", new MemoryStore())).newKeyPackages(1);
    const own = await (await MlsDevice.open(bob.user.id, "phone", new MemoryStore())).newKeyPackages(1);
    const res = await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "phone", keyPackages: [...own.keyPackages, ...forged.keyPackages] } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/credential/);
    const otherDevice = await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "tablet", keyPackages: own.keyPackages } });
    expect(otherDevice.status).toBe(400);
    expect((await api("GET", "/e2ee/key-packages?device=phone", { token: bob.token })).body).toEqual({ device: "phone", count: 0, lastResort: false });
    expect((await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "phone", keyPackages: ["bm90IG1scw=="] } })).status).toBe(400);
  });
});

describe("e2ee: the room as MLS delivery service", () => {
  it("creates an encrypted group with its creator alone, refuses plaintext, search and member changes outside MLS", async () => {
    const [alice, bob] = [await signup("ega"), await signup("egb")];
    const a = await deviceOf(alice, "a1");
    const { channel } = await a.createGroup("secret");
    expect(channel.encrypted).toBe(true);
    expect(channel.members.map((m: any) => m.id)).toEqual([alice.user.id]);
    const plain = await api("POST", `/channels/${channel.id}/messages`, { token: alice.token, json: { clientMsgId: "p1", body: "in the clear" } });
    expect(plain.status).toBe(400);
    const search = await api("GET", `/channels/${channel.id}/search?q=hello`, { token: alice.token });
    expect(search.status).toBe(400);
    expect(search.body.error.code).toBe("not_supported");
    expect((await api("POST", `/channels/${channel.id}/members`, { token: alice.token, json: { handle: bob.handle } })).status).toBe(400);
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: alice.token })).body.messages).toEqual([]);
    const withMembers = await api("POST", "/channels", { token: alice.token, json: { title: "x", members: [bob.handle], encrypted: true, device: "a1" } });
    expect(withMembers.status).toBe(400);
  });

  it("adds a user's two devices by one commit, delivers the Welcome through their UserHub, and stores only ciphertext", async () => {
    const [alice, bob] = [await signup("eaa"), await signup("eab")];
    const a = await deviceOf(alice, "a1");
    const [phone, laptop] = [await deviceOf(bob, "phone"), await deviceOf(bob, "laptop")];
    const inbox = await openSocket("/inbox/socket", bob.token, "phone");
    await inbox.next("welcome");
    const { channel } = await a.createGroup("two devices");
    const commit = await a.addUsers(channel.id, [bob.handle]);
    expect(commit.mls).toMatchObject({ kind: "commit", epoch: 0 });
    expect(commit.body).toBe("");

    const pushed = await inbox.next("mls_welcome");
    expect(pushed.welcome).toMatchObject({ channelId: channel.id, seq: commit.seq, epoch: 1 });
    inbox.close();
    expect((await phone.joinWelcomed()).map((g) => g.channelId)).toEqual([channel.id]);
    expect((await laptop.joinWelcomed()).map((g) => g.channelId)).toEqual([channel.id]);

    const group = await api("GET", `/channels/${channel.id}/mls`, { token: bob.token });
    expect(group.body.epoch).toBe(1);
    expect(group.body.leaves).toEqual([
      { leaf: 0, userId: alice.user.id, device: "a1" },
      { leaf: 1, userId: bob.user.id, device: "phone" },
      { leaf: 2, userId: bob.user.id, device: "laptop" },
    ]);

    const sent = await a.send(channel.id, { type: "text", body: "the plans are under the mat" });
    expect(sent.body).toBe("");
    expect(sent.mls?.kind).toBe("application");
    expect(JSON.stringify(sent)).not.toContain("plans");
    await phone.send(channel.id, { type: "text", body: "from bob's phone" });
    expect(texts(await laptop.sync(channel.id))).toEqual(["the plans are under the mat", "from bob's phone"]);
    expect(texts(await a.sync(channel.id))).toEqual(["the plans are under the mat", "from bob's phone"]);
    const history = await api("GET", `/channels/${channel.id}/messages`, { token: bob.token });
    expect(JSON.stringify(history.body)).not.toContain("plans");
  });

  it("adds more devices than one body holds over several commits, each with its Welcome", async () => {
    const [alice, bob] = [await signup("eba"), await signup("ebb")];
    const a = await deviceOf(alice, "a1");
    const devices = [];
    for (let i = 0; i < 12; i++) devices.push(await deviceOf(bob, `b${i}`));
    const { channel } = await a.createGroup("many devices");
    const last = await a.addUsers(channel.id, [bob.handle]);
    expect(last.mls).toMatchObject({ kind: "commit", epoch: 1 });
    const group = (await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body;
    expect(group.epoch).toBe(2);
    expect(group.leaves).toHaveLength(13);
    expect((await api("GET", "/e2ee/welcomes", { token: bob.token })).body.welcomes).toHaveLength(2);
    for (const d of [devices[0]!, devices[11]!]) expect((await d.joinWelcomed()).map((g) => g.channelId)).toEqual([channel.id]);
    await a.send(channel.id, { type: "text", body: "all twelve" });
    expect(texts(await devices[0]!.sync(channel.id))).toEqual(["all twelve"]);
    expect(texts(await devices[11]!.sync(channel.id))).toEqual(["all twelve"]);
  });

  it("counts application messages as unread, but neither commits nor encrypted edits and reactions", async () => {
    const [alice, bob] = [await signup("eua"), await signup("eub")];
    const a = await deviceOf(alice, "a1");
    const b = await deviceOf(bob, "b1");
    const { channel } = await a.createGroup("unread");
    await a.addUsers(channel.id, [bob.handle]);
    await b.joinWelcomed();
    const first = await a.send(channel.id, { type: "text", body: "one" });
    await a.send(channel.id, { type: "text", body: "two" });
    const edit = await a.send(channel.id, { type: "edit", seq: first.seq, body: "one (edited)" });
    expect(edit.mls?.changeOf).toBe(first.seq);
    await a.send(channel.id, { type: "react", seq: first.seq, emoji: "👍", on: true });
    await a.selfUpdate(channel.id);
    const summary = await eventually(async () => {
      const list = (await api("GET", "/channels", { token: bob.token })).body.channels;
      const s = list.find((x: any) => x.channel.id === channel.id);
      return s && s.lastSeq === 6 && s;
    });
    expect(summary.unread).toBe(2);
    const received = await b.sync(channel.id);
    expect(received.map((r) => (r.kind === "content" ? r.content.type : r.kind))).toEqual(["text", "text", "edit", "react", "commit"]);
  });

  it("refuses a commit built on a stale epoch, so exactly one of two concurrent commits wins", async () => {
    const [alice, bob, carol, dave] = [await signup("esa"), await signup("esb"), await signup("esc"), await signup("esd")];
    const race: { current?: CommitBarrier } = {};
    const a = await deviceOf(alice, "a1", race);
    const b = await deviceOf(bob, "b1", race);
    await deviceOf(carol, "c1");
    await deviceOf(dave, "d1");
    const { channel } = await a.createGroup("race");
    await a.addUsers(channel.id, [bob.handle]);
    await b.joinWelcomed();
    // Both build on epoch 1 and post together; the room takes one and refuses the other as stale, then the loser rebuilds.
    race.current = new CommitBarrier(2);
    const results = await Promise.allSettled([a.addUsers(channel.id, [carol.handle]), b.addUsers(channel.id, [dave.handle])]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(a.staleRetries + b.staleRetries).toBe(1);
    const commits = (await api("GET", `/channels/${channel.id}/messages`, { token: alice.token })).body.messages.filter((m: any) => m.mls.kind === "commit");
    expect(commits.map((m: any) => m.mls.epoch)).toEqual([0, 1, 2]);
    const group = (await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body;
    expect(group.epoch).toBe(3);
    const roomMembers = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id).sort();
    expect(roomMembers).toEqual([alice.user.id, bob.user.id, carol.user.id, dave.user.id].sort());
    await a.sync(channel.id);
    await b.sync(channel.id);
    const mlsA = (await a.open(channel.id))!.members().map((m) => [m.leaf, m.userId, m.device]);
    const mlsB = (await b.open(channel.id))!.members().map((m) => [m.leaf, m.userId, m.device]);
    expect(mlsA).toEqual(group.leaves.map((l: any) => [l.leaf, l.userId, l.device]));
    expect(mlsB).toEqual(mlsA);
  });

  it("keeps the room's member list and every device's tree equal under a concurrent add and remove", async () => {
    const [alice, bob, carol, dave] = [await signup("eca"), await signup("ecb"), await signup("ecc"), await signup("ecd")];
    const race: { current?: CommitBarrier } = {};
    const a = await deviceOf(alice, "a1", race);
    const b = await deviceOf(bob, "b1", race);
    const c = await deviceOf(carol, "c1");
    await deviceOf(dave, "d1");
    const { channel } = await a.createGroup("churn");
    await a.addUsers(channel.id, [bob.handle, carol.handle]);
    await b.joinWelcomed();
    await c.joinWelcomed();
    // The creator removes Carol while Bob adds Dave, both on the same epoch: one wins, the other rebuilds on top.
    race.current = new CommitBarrier(2);
    const results = await Promise.allSettled([a.removeDevices(channel.id, (m) => m.userId === carol.user.id), b.addUsers(channel.id, [dave.handle])]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(a.staleRetries + b.staleRetries).toBe(1);
    const group = (await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body;
    expect(group.epoch).toBe(3);
    const roomMembers = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id).sort();
    expect(roomMembers).toEqual([alice.user.id, bob.user.id, dave.user.id].sort());
    for (const d of [a, b]) {
      await d.sync(channel.id);
      const tree = (await d.open(channel.id))!.members();
      expect(tree.map((m) => [m.leaf, m.userId, m.device])).toEqual(group.leaves.map((l: any) => [l.leaf, l.userId, l.device]));
      expect([...new Set(tree.map((m) => m.userId))].sort()).toEqual(roomMembers);
    }
  });

  it("refuses a stale commit sent raw, and changes nothing", async () => {
    const [alice, bob, carol] = [await signup("eta"), await signup("etb"), await signup("etc")];
    const a = await deviceOf(alice, "a1");
    await deviceOf(bob, "b1");
    await deviceOf(carol, "c1");
    const { channel } = await a.createGroup("stale");
    const group = (await a.open(channel.id))!;
    const claimed = (await api("POST", "/e2ee/key-packages/claim", { token: alice.token, json: { handle: bob.handle } })).body.keyPackages;
    const stale = await group.add(claimed.map((k: any) => k.keyPackage));
    await a.addUsers(channel.id, [carol.handle]);
    const res = await api("POST", `/channels/${channel.id}/mls`, { token: alice.token, json: { device: "a1", clientMsgId: "late", data: stale.data, welcome: stale.welcome } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/stale commit: built on epoch 0, the channel is at epoch 1/);
    const members = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id);
    expect(members).not.toContain(bob.user.id);
    expect((await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body.epoch).toBe(1);
  });

  it("refuses commits from non-members and from devices outside the group", async () => {
    const [alice, bob, mallory] = [await signup("ena"), await signup("enb"), await signup("enm")];
    const a = await deviceOf(alice, "a1");
    await deviceOf(bob, "b1");
    const { channel } = await a.createGroup("members only");
    const group = (await a.open(channel.id))!;
    const pending = await group.selfUpdate();
    const outsider = await api("POST", `/channels/${channel.id}/mls`, { token: mallory.token, json: { device: "m1", clientMsgId: "x", data: pending.data } });
    expect(outsider.status).toBe(404);
    const otherDevice = await api("POST", `/channels/${channel.id}/mls`, { token: alice.token, json: { device: "a2", clientMsgId: "x", data: pending.data } });
    expect(otherDevice.status).toBe(403);
    expect((await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body.epoch).toBe(0);
    const garbage = await api("POST", `/channels/${channel.id}/mls`, { token: alice.token, json: { device: "a1", clientMsgId: "y", data: "AAAA" } });
    expect(garbage.status).toBe(400);
  });

  it("removes a member by commit: the room drops them, and their device cannot read what follows", async () => {
    const [alice, bob, carol] = [await signup("era"), await signup("erb"), await signup("erc")];
    const a = await deviceOf(alice, "a1");
    const b = await deviceOf(bob, "b1");
    const c = await deviceOf(carol, "c1");
    const { channel } = await a.createGroup("remove");
    await a.addUsers(channel.id, [bob.handle, carol.handle]);
    await b.joinWelcomed();
    await c.joinWelcomed();
    // Only the creator removes others.
    await expect(b.removeDevices(channel.id, (m) => m.userId === carol.user.id)).rejects.toMatchObject({ status: 403 });
    const bobGroup = (await b.open(channel.id))!;
    const bobBefore = bobGroup.epoch;
    await a.removeDevices(channel.id, (m) => m.userId === bob.user.id);
    const members = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id);
    expect(members.sort()).toEqual([alice.user.id, carol.user.id].sort());
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: bob.token })).status).toBe(404);
    const secret = await a.send(channel.id, { type: "text", body: "bob must not read this" });
    expect(texts(await c.sync(channel.id))).toEqual(["bob must not read this"]);
    // Even with the ciphertext in hand, Bob's device (still at the old epoch) cannot open it.
    expect(bobGroup.epoch).toBe(bobBefore);
    const r = await bobGroup.receive(secret);
    expect(r.kind).toBe("undecryptable");
  });

  it("lets a member leave by a Remove proposal of their own leaf, which another member's device commits; they cannot read on", async () => {
    const [alice, bob, carol] = [await signup("ela"), await signup("elb"), await signup("elc")];
    const a = await deviceOf(alice, "a1");
    const b = await deviceOf(bob, "b1");
    const c = await deviceOf(carol, "c1");
    const { channel } = await a.createGroup("leave");
    await a.addUsers(channel.id, [bob.handle, carol.handle]);
    await b.joinWelcomed();
    await c.joinWelcomed();
    const bobGroup = (await b.open(channel.id))!;
    const epoch = bobGroup.epoch;

    // A proposal to remove someone else is refused, and changes nothing.
    const carolLeaf = bobGroup.members().find((m) => m.userId === carol.user.id)!.leaf;
    const { createProposal, encodeMlsMessage } = await import("ts-mls");
    const forged = await createProposal((bobGroup as any).state, true, { proposalType: "remove", remove: { removed: carolLeaf } }, bobGroup.device.impl);
    const refused = await api("POST", `/channels/${channel.id}/mls`, { token: bob.token, json: { device: "b1", clientMsgId: "forged", data: Buffer.from(encodeMlsMessage(forged.message)).toString("base64") } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/Remove of its own leaf/);

    const proposal = await b.leave(channel.id);
    expect(proposal.mls?.kind).toBe("proposal");
    // Still a member until someone commits; the proposal is not unread for the others.
    let members = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id);
    expect(members).toContain(bob.user.id);
    const group = (await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body;
    expect(group.leaves.find((l: any) => l.userId === bob.user.id).leaving).toBe(proposal.seq);
    // Carol is not the creator, yet her device commits Bob's removal because he asked.
    await c.sync(channel.id);
    members = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id);
    expect(members.sort()).toEqual([alice.user.id, carol.user.id].sort());
    expect((await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body.leaves.map((l: any) => l.userId).sort()).toEqual([alice.user.id, carol.user.id].sort());
    const secret = await a.send(channel.id, { type: "text", body: "after bob left" });
    expect(texts(await c.sync(channel.id))).toEqual(["after bob left"]);
    expect(bobGroup.epoch).toBe(epoch);
    expect((await bobGroup.receive(secret)).kind).toBe("undecryptable");
    // Alice's device sees the proposal and a commit already made: it does not commit again.
    await a.sync(channel.id);
    expect((await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body.epoch).toBe(epoch + 1);
  });

  it("removes a logged-out device from the groups its user's other device stays in, and it is never added again", async () => {
    const [alice, bob] = [await signup("eoa"), await signup("eob")];
    const a = await deviceOf(alice, "a1");
    const phone = await deviceOf(bob, "b1");
    const laptop = await deviceOf(bob, "b2");
    const { channel } = await a.createGroup("logout");
    await a.addUsers(channel.id, [bob.handle]);
    await phone.joinWelcomed();
    await laptop.joinWelcomed();
    await laptop.logOut();
    expect((await api("GET", "/e2ee/key-packages?device=b2", { token: bob.token })).body).toMatchObject({ count: 0, lastResort: false });
    await a.sync(channel.id);
    const leaves = (await api("GET", `/channels/${channel.id}/mls`, { token: alice.token })).body.leaves.map((l: any) => l.device).sort();
    expect(leaves).toEqual(["a1", "b1"]);
    const members = (await api("GET", `/channels/${channel.id}`, { token: alice.token })).body.channel.members.map((m: any) => m.id);
    expect(members.sort()).toEqual([alice.user.id, bob.user.id].sort());
    const claimed = (await api("POST", "/e2ee/key-packages/claim", { token: alice.token, json: { handle: bob.handle } })).body.keyPackages.map((k: any) => k.device);
    expect(claimed).toEqual(["b1"]);
    await a.send(channel.id, { type: "text", body: "phone only" });
    expect(texts(await phone.sync(channel.id))).toEqual(["phone only"]);
  });
});

describe("e2ee: a user's new device", () => {
  const leavesOf = async (token: string, channelId: string) => (await api("GET", `/channels/${channelId}/mls`, { token })).body;
  const memberIds = async (token: string, channelId: string) => (await api("GET", `/channels/${channelId}`, { token })).body.channel.members.map((m: any) => m.id).sort();

  it("tells the user's other devices when a new one publishes, and one of them adds it: it reads what follows, and the member list stays", async () => {
    const [alice, bob] = [await signup("nda"), await signup("ndb")];
    const a = await deviceOf(alice, "a1");
    const phone = await deviceOf(bob, "phone");
    const { channel } = await a.createGroup("new laptop");
    await a.addUsers(channel.id, [bob.handle]);
    await phone.joinWelcomed();
    await a.send(channel.id, { type: "text", body: "before the laptop" });
    const inbox = await openSocket("/inbox/socket", bob.token, "phone");
    await inbox.next("welcome");

    const laptop = await deviceOf(bob, "laptop");
    expect(await inbox.next("mls_device")).toEqual({ type: "mls_device", device: "laptop" });
    // Topping up later is not news.
    await api("POST", "/e2ee/key-packages", { token: bob.token, json: { device: "laptop", ...(await laptop.device.newKeyPackages(1)) } });
    await inbox.none("mls_device");
    const commit = await phone.addNewDevices(channel.id, [bob.user.id]);
    expect(commit?.mls).toMatchObject({ kind: "commit", epoch: 1 });
    expect(commit?.senderId).toBe(bob.user.id);
    expect((await inbox.next("mls_welcome")).welcome).toMatchObject({ channelId: channel.id, seq: commit!.seq });
    inbox.close();

    expect((await leavesOf(bob.token, channel.id)).leaves.map((l: any) => l.device)).toEqual(["a1", "phone", "laptop"]);
    expect(await memberIds(alice.token, channel.id)).toEqual([alice.user.id, bob.user.id].sort());
    expect((await laptop.joinWelcomed()).map((g) => g.channelId)).toEqual([channel.id]);
    await a.send(channel.id, { type: "text", body: "hello laptop" });
    expect(texts(await laptop.sync(channel.id))).toEqual(["hello laptop"]);

    // Nothing is left to add, and checking claims no KeyPackage of the devices already in the group.
    const before = (await api("GET", "/e2ee/key-packages?device=phone", { token: bob.token })).body.count;
    expect(await a.addNewDevices(channel.id, [alice.user.id, bob.user.id])).toBeUndefined();
    expect((await api("GET", "/e2ee/key-packages?device=phone", { token: bob.token })).body.count).toBe(before);
    expect((await leavesOf(alice.token, channel.id)).epoch).toBe(2);
  });

  it("lets any member add it when the user's other devices are offline; of two members racing, one commit wins and the other finds nothing to do", async () => {
    const [alice, bob, carol] = [await signup("nra"), await signup("nrb"), await signup("nrc")];
    const race: { current?: CommitBarrier } = {};
    const a = await deviceOf(alice, "a1", race);
    const c = await deviceOf(carol, "c1", race);
    const phone = await deviceOf(bob, "phone");
    const { channel } = await a.createGroup("offline phone");
    await a.addUsers(channel.id, [bob.handle, carol.handle]);
    await phone.joinWelcomed();
    await c.joinWelcomed();
    const laptop = await deviceOf(bob, "laptop");

    race.current = new CommitBarrier(2);
    const [byAlice, byCarol] = await Promise.all([a.addNewDevices(channel.id, [bob.user.id]), c.addNewDevices(channel.id, [bob.user.id])]);
    expect([byAlice, byCarol].filter((m) => m !== undefined)).toHaveLength(1);
    expect(a.staleRetries + c.staleRetries).toBe(1);
    const group = await leavesOf(alice.token, channel.id);
    expect(group.epoch).toBe(2);
    expect(group.leaves.filter((l: any) => l.device === "laptop")).toHaveLength(1);
    expect(await memberIds(alice.token, channel.id)).toEqual([alice.user.id, bob.user.id, carol.user.id].sort());
    await laptop.joinWelcomed();
    await c.send(channel.id, { type: "text", body: "carol to all four" });
    expect(texts(await laptop.sync(channel.id))).toEqual(["carol to all four"]);
    expect(texts(await phone.sync(channel.id))).toEqual(["carol to all four"]);
  });

  it("does not add back the devices of a user who is leaving: their leave goes through", async () => {
    const [alice, bob] = [await signup("nla"), await signup("nlb")];
    const a = await deviceOf(alice, "a1");
    const [phone, laptop] = [await deviceOf(bob, "phone"), await deviceOf(bob, "laptop")];
    const { channel } = await a.createGroup("leaving");
    await a.addUsers(channel.id, [bob.handle]);
    await phone.joinWelcomed();
    await laptop.joinWelcomed();
    // The phone removes the laptop by commit, then asks itself out; the laptop still has KeyPackages.
    await phone.leave(channel.id);
    expect(await a.addNewDevices(channel.id, [bob.user.id])).toBeUndefined();
    await a.sync(channel.id);
    expect(await memberIds(alice.token, channel.id)).toEqual([alice.user.id]);
    expect((await leavesOf(alice.token, channel.id)).leaves.map((l: any) => l.device)).toEqual(["a1"]);
  });

  it("accepts the add of a member's new device only from a device in the group: not from a non-member, nor from the new device itself", async () => {
    const [alice, bob, mallory] = [await signup("nna"), await signup("nnb"), await signup("nnm")];
    const a = await deviceOf(alice, "a1");
    await deviceOf(bob, "phone");
    const { channel } = await a.createGroup("members add");
    await a.addUsers(channel.id, [bob.handle]);
    await deviceOf(bob, "laptop");
    const claimed = (await api("POST", "/e2ee/key-packages/claim", { token: alice.token, json: { userId: bob.user.id, except: ["phone"] } })).body;
    expect(claimed.keyPackages.map((k: any) => k.device)).toEqual(["laptop"]);
    const pending = await (await a.open(channel.id))!.add(claimed.keyPackages.map((k: any) => k.keyPackage));
    const post = (token: string, device: string) => api("POST", `/channels/${channel.id}/mls`, { token, json: { device, clientMsgId: "add-laptop", data: pending.data, welcome: pending.welcome } });

    expect((await post(mallory.token, "m1")).status).toBe(404);
    expect((await post(bob.token, "laptop")).status).toBe(403);
    expect((await leavesOf(alice.token, channel.id)).epoch).toBe(1);
    expect((await post(alice.token, "a1")).status).toBe(201);
    expect((await leavesOf(alice.token, channel.id)).leaves.map((l: any) => l.device)).toEqual(["a1", "phone", "laptop"]);
    expect(await memberIds(alice.token, channel.id)).toEqual([alice.user.id, bob.user.id].sort());
    const bad = await api("POST", "/e2ee/key-packages/claim", { token: alice.token, json: { userId: bob.user.id, handle: bob.handle } });
    expect(bad.status).toBe(400);
  });
});

describe("e2ee: DMs", () => {
  it("keeps an encrypted DM apart from the plaintext one; the other user joins by its creator's commit", async () => {
    const [alice, bob, carol] = [await signup("eda"), await signup("edb"), await signup("edc")];
    const a = await deviceOf(alice, "a1");
    const b = await deviceOf(bob, "b1");
    await deviceOf(carol, "c1");
    const plain = (await api("POST", "/dms", { token: alice.token, json: { handle: bob.handle } })).body.channel;
    const { channel } = await a.createDm(bob.handle);
    expect(channel.id).not.toBe(plain.id);
    expect(channel).toMatchObject({ kind: "dm", encrypted: true });
    const early = await api("POST", "/dms", { token: bob.token, json: { handle: alice.handle, encrypted: true, device: "b1" } });
    expect(early.status).toBe(409);
    // A DM holds only its two users.
    await expect(a.addUsers(channel.id, [carol.handle])).rejects.toMatchObject({ status: 403 });
    await a.addUsers(channel.id, [bob.handle]);
    await b.joinWelcomed();
    await b.send(channel.id, { type: "text", body: "just us" });
    expect(texts(await a.sync(channel.id))).toEqual(["just us"]);
    const again = await api("POST", "/dms", { token: bob.token, json: { handle: alice.handle, encrypted: true, device: "b1" } });
    expect(again.status).toBe(200);
    expect(again.body.channel.id).toBe(channel.id);
    expect(again.body.channel.members.map((m: any) => m.id).sort()).toEqual([alice.user.id, bob.user.id].sort());
  });
});

describe("e2ee: push", () => {
  it("pushes an offline member an encrypted message without its text or files, and never a commit", async () => {
    const [alice, bob] = [await signup("epa"), await signup("epb")];
    const a = await deviceOf(alice, "a1");
    await deviceOf(bob, "b1");
    const receiver = inject("pushReceiverUrl");
    const key = (await api("GET", "/push/key", { token: bob.token })).body.publicKey;
    const sub = await subscribe(receiver, key);
    await api("POST", "/push/subscriptions", { token: bob.token, json: { device: "b1", subscription: { endpoint: sub.endpoint, keys: sub.keys } } });
    const { channel } = await a.createGroup("quiet");
    await a.addUsers(channel.id, [bob.handle]);
    await a.selfUpdate(channel.id);
    // A message of a file alone: the push names no file either (the server's name for it is a placeholder anyway).
    const file = await sealedUpload(alice, channel.id, pdfLike(100));
    const sent = await a.send(channel.id, { type: "text", body: "", files: [file] });
    const pushes = await eventually(async () => {
      const got = (await getNotifications(receiver, sub.clientHash)).map((m: string) => JSON.parse(m));
      return got.length > 0 ? got : undefined;
    });
    expect(pushes[0]).toEqual({ type: "message", channelId: channel.id, seq: sent.seq, senderId: alice.user.id, preview: "" });
  });
});

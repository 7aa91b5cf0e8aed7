import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openFile, sealFile, type SealedFile } from "../src/client/e2ee";
import { api, signup } from "./helpers/http";
import { deviceOf, sealedUpload } from "./helpers/e2ee";
import { download, image, pdfLike, storedKeys, upload } from "./helpers/attachments";
import { eventually } from "./helpers/socket";

const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));

/** An encrypted group of Alice and Bob, each on one device. */
async function group(prefix: string) {
  const [alice, bob] = [await signup(`${prefix}a`), await signup(`${prefix}b`)];
  const a = await deviceOf(alice, "a1");
  const b = await deviceOf(bob, "b1");
  const { channel } = await a.createGroup("files");
  await a.addUsers(channel.id, [bob.handle]);
  await b.joinWelcomed();
  return { alice, bob, a, b, channelId: channel.id };
}

const text = (files: SealedFile[], body = "") => ({ type: "text" as const, body, files });

describe("e2ee: encrypted attachments", () => {
  it("ties the sender's own unsent uploads of this channel to an encrypted message; the server holds only ciphertext, and the other member opens it", async () => {
    const { alice, bob, a, b, channelId } = await group("eat");
    const pdf = pdfLike(5000);
    // What an encrypted channel's server must not learn is refused rather than stored.
    expect((await upload(alice, channelId, pdf, { name: "report.pdf", type: "application/pdf" })).status).toBe(400);
    const file = await sealedUpload(alice, channelId, pdf);

    const sent = await a.send(channelId, text([file], "the report"));
    expect(sent.attachments).toEqual([{ id: file.id, name: "encrypted", type: "application/octet-stream", size: pdf.length + 16, url: expect.any(String) }]);
    const [got] = await b.sync(channelId);
    expect(got?.kind === "content" && got.content.type === "text" && got.content.files).toEqual([file]);
    const history = (await api("GET", `/channels/${channelId}/messages`, { token: bob.token })).body.messages;
    const stored = await download(history.at(-1).attachments[0].url);
    expect(stored.status).toBe(200);
    expect(stored.bytes).not.toEqual(pdf);
    expect(new Uint8Array(await openFile(stored.bytes.buffer, file.key, file.iv))).toEqual(pdf);
    expect(JSON.stringify(history)).not.toContain("report.pdf");
  });

  it("refuses files that are not the sender's own unsent uploads of this channel, more than 10, or on a change, and stores nothing", async () => {
    const { alice, bob, a, channelId } = await group("ear");
    const other = await group("eao");
    const own = await sealedUpload(alice, channelId, pdfLike(100));
    const bobs = await sealedUpload(bob, channelId, pdfLike(100));
    const elsewhere = await sealedUpload(other.alice, other.channelId, pdfLike(100));
    const before = (await api("GET", `/channels/${channelId}/messages`, { token: alice.token })).body.messages.length;

    await expect(a.send(channelId, text([bobs]))).rejects.toMatchObject({ status: 400 });
    await expect(a.send(channelId, text([elsewhere]))).rejects.toMatchObject({ status: 400 });
    // Sent raw, past the module's own checks: the room's rules are what is tested.
    const raw = async (extra: object, content: Parameters<typeof a.send>[1] = text([], "x")) => {
      const sealed = await (await a.open(channelId))!.encrypt(crypto.randomUUID(), content);
      return api("POST", `/channels/${channelId}/mls`, { token: alice.token, json: { device: "a1", ...sealed, ...extra } });
    };
    const eleven = [];
    for (let i = 0; i < 11; i++) eleven.push((await sealedUpload(alice, channelId, pdfLike(10))).id);
    expect((await raw({ attachments: eleven })).status).toBe(400);
    const first = await a.send(channelId, text([own], "once"));
    // Used: a second message cannot carry it again.
    await expect(a.send(channelId, text([own], "twice"))).rejects.toMatchObject({ status: 400 });
    const change = await raw({ attachments: [eleven[0]] }, { type: "react", seq: first.seq, emoji: "👍", on: true });
    expect(change.status).toBe(400);
    expect(change.body.error.message).toMatch(/a change of a message carries none/);
    const after = (await api("GET", `/channels/${channelId}/messages`, { token: alice.token })).body.messages;
    expect(after.length).toBe(before + 1);
    expect(after.at(-1).attachments.map((f: any) => f.id)).toEqual([own.id]);
  });

  it("takes an encrypted thumbnail only as ciphertext", async () => {
    const { alice, a, channelId } = await group("eth");
    const file = await sealedUpload(alice, channelId, image(64, 48), "cat.png", "image/png");
    const put = (body: Uint8Array<ArrayBuffer>, type: string) =>
      api("PUT", `/channels/${channelId}/attachments/${file.id}/thumbnail`, { token: alice.token, raw: body, headers: { "Content-Type": type } });
    expect((await put(image(32, 24), "image/png")).status).toBe(400);
    const thumb = await sealFile(new Blob([image(32, 24)]));
    expect((await put(new Uint8Array(await thumb.data.arrayBuffer()), "application/octet-stream")).status).toBe(204);
    const sent = await a.send(channelId, text([{ ...file, width: 64, height: 48, thumb: { iv: thumb.iv, type: "image/png" } }]));
    expect(sent.attachments?.[0]?.thumbnailUrl).toEqual(expect.any(String));
    expect(sent.attachments?.[0]?.placeholder).toBeUndefined();
  });

  it("drops a deleted encrypted message's files when its sender says so, and only its sender; an unsent upload goes after a day", async () => {
    const { alice, bob, a, b, channelId } = await group("ead");
    const file = await sealedUpload(alice, channelId, pdfLike(2000));
    const unsent = await sealedUpload(alice, channelId, pdfLike(2000));
    const sent = await a.send(channelId, text([file], "soon gone"));
    await b.sync(channelId);
    await expect(b.send(channelId, { type: "delete", seq: sent.seq }, undefined, { dropAttachments: true })).rejects.toMatchObject({ status: 403 });
    expect(await storedKeys(channelId)).toHaveLength(2);

    await a.send(channelId, { type: "delete", seq: sent.seq }, undefined, { dropAttachments: true });
    await runDurableObjectAlarm(roomOf(channelId));
    await eventually(async () => (await storedKeys(channelId)).length === 1);
    expect(await storedKeys(channelId)).toEqual([`channels/${channelId}/${unsent.id}`]);
    expect((await download(sent.attachments![0]!.url)).status).toBe(404);
    const history = (await api("GET", `/channels/${channelId}/messages`, { token: bob.token })).body.messages;
    expect(history.find((m: any) => m.seq === sent.seq).attachments).toBeUndefined();

    await runInDurableObject(roomOf(channelId), async (_i, state) => {
      state.storage.sql.exec("UPDATE attachments SET expires_at = expires_at - ? WHERE expires_at IS NOT NULL", 24 * 3600_000 + 1000);
      await state.storage.setAlarm(Date.now() + 3600_000);
    });
    await runDurableObjectAlarm(roomOf(channelId));
    expect(await storedKeys(channelId)).toEqual([]);
  });
});

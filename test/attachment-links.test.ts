import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { urlSigner } from "../src/attachments/signed-url";
import { pushPayload } from "../src/push";
import { messagePreview } from "../src/protocol";
import { dm, users } from "./helpers/channels";
import { api, type TestUser } from "./helpers/http";
import { eventually } from "./helpers/socket";
import { download, image, pdfLike, storedKeys, upload } from "./helpers/attachments";

async function sendFiles(u: TestUser, channelId: string, files: { bytes: Uint8Array<ArrayBuffer>; name: string; type: string }[], body = "") {
  const ids: string[] = [];
  for (const f of files) ids.push((await upload(u, channelId, f.bytes, { name: f.name, type: f.type })).body.attachment.id);
  const res = await api("POST", `/channels/${channelId}/messages`, { token: u.token, json: { clientMsgId: crypto.randomUUID(), body, attachments: ids } });
  return res.body.message;
}

const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));

/** Lets time pass in the room: every expiry moves `ms` earlier; then the alarm runs. */
async function advance(channelId: string, ms: number): Promise<void> {
  await runInDurableObject(roomOf(channelId), async (_i, state) => {
    state.storage.sql.exec("UPDATE attachments SET expires_at = expires_at - ? WHERE expires_at IS NOT NULL", ms);
    // Far enough ahead not to fire by itself: runDurableObjectAlarm runs it now, and waits for it.
    await state.storage.setAlarm(Date.now() + 3600_000);
  });
  await runDurableObjectAlarm(roomOf(channelId));
}

const rows = (channelId: string) => runInDurableObject(roomOf(channelId), (_i, state) => state.storage.sql.exec<{ id: string }>("SELECT id FROM attachments").toArray().length);

describe("signed links", () => {
  it("refuse a tampered signature, another attachment's or variant's signature, and a changed expiry (403)", async () => {
    const [a, b] = await users(2, "sig");
    const channel = await dm(a!, b!);
    const m = await sendFiles(a!, channel.id, [
      { bytes: image(40, 30), name: "a.png", type: "image/png" },
      { bytes: pdfLike(100), name: "b.pdf", type: "application/pdf" },
    ]);
    const [first, second] = m.attachments;
    expect((await download(first.url)).status).toBe(200);
    const u = new URL(first.url, "http://x");
    const s = u.searchParams.get("s")!;
    const flipped = s.slice(0, -1) + (s.endsWith("A") ? "B" : "A");
    const variants = [
      first.url.replace(s, flipped),
      first.url.replace(`e=${u.searchParams.get("e")}`, `e=${Number(u.searchParams.get("e")) + 3600_000}`),
      first.url.replace(first.id, second.id),
      first.url.replace("/file?", "/thumb?"),
      first.url.replace(/&s=.*/, ""),
    ];
    for (const url of variants) expect((await download(url)).status, url).toBe(403);
  });

  it("stop working once expired, even with a valid signature", async () => {
    const [a, b] = await users(2, "exp");
    const channel = await dm(a!, b!);
    const m = await sendFiles(a!, channel.id, [{ bytes: pdfLike(100), name: "b.pdf", type: "application/pdf" }]);
    const signer = urlSigner(env.ATTACHMENT_URL_KEY, 60_000);
    const fresh = signer.url(channel.id, m.attachments[0].id, "file", Date.now());
    expect((await download(fresh)).status).toBe(200);
    const stale = signer.url(channel.id, m.attachments[0].id, "file", Date.now() - 2 * 3600_000);
    const res = await download(stale);
    expect(res.status).toBe(403);
  });
});

describe("client-made thumbnails", () => {
  it("replace the server's: checked to be a real image within 320 px, only by the uploader, before sending", async () => {
    const [a, b] = await users(2, "thm");
    const channel = await dm(a!, b!);
    const up = (await upload(a!, channel.id, image(800, 400), { name: "wide.png", thumbnail: "client" })).body.attachment;
    const put = (u: TestUser, bytes: Uint8Array<ArrayBuffer>, type: string) =>
      api("PUT", `/channels/${channel.id}/attachments/${up.id}/thumbnail`, { token: u.token, raw: bytes, headers: { "Content-Type": type } });
    expect((await put(a!, pdfLike(300), "image/webp")).status).toBe(400);
    expect((await put(a!, image(400, 200, "webp"), "image/webp")).status).toBe(400);
    expect((await put(a!, image(320, 160, "jpeg"), "image/webp")).status).toBe(400);
    expect((await put(b!, image(320, 160, "webp"), "image/webp")).status).toBe(404);
    expect((await put(a!, image(320, 160, "webp"), "image/webp")).status).toBe(204);
    const sent = await api("POST", `/channels/${channel.id}/messages`, { token: a!.token, json: { clientMsgId: "t1", body: "", attachments: [up.id] } });
    const file = sent.body.message.attachments[0];
    expect(file.placeholder).toBeTruthy();
    const thumb = await download(file.thumbnailUrl);
    expect(thumb.headers.get("Content-Type")).toBe("image/webp");
    expect(thumb.bytes).toEqual(image(320, 160, "webp"));
    // Once sent, it is no longer the uploader's to change.
    expect((await put(a!, image(300, 150, "webp"), "image/webp")).status).toBe(404);
  });

  it("without one promised and none sent, the attachment has no thumbnail", async () => {
    const [a, b] = await users(2, "thn");
    const channel = await dm(a!, b!);
    const up = (await upload(a!, channel.id, image(100, 100), { thumbnail: "client" })).body.attachment;
    const sent = await api("POST", `/channels/${channel.id}/messages`, { token: a!.token, json: { clientMsgId: "t2", body: "", attachments: [up.id] } });
    expect(sent.body.message.attachments[0].thumbnailUrl).toBeUndefined();
    expect(await storedKeys(channel.id)).toEqual([`channels/${channel.id}/${up.id}`]);
  });
});

describe("cleanup", () => {
  it("deletes an upload never sent a day later, bytes and quota both", async () => {
    const [a, b] = await users(2, "cln");
    const channel = await dm(a!, b!);
    const mib = new Uint8Array(1024 * 1024);
    const kept = await sendFiles(a!, channel.id, [{ bytes: pdfLike(10), name: "kept.txt", type: "text/plain" }]);
    for (let i = 0; i < 2; i++) expect((await upload(a!, channel.id, mib, { type: "application/octet-stream", name: `${i}.bin` })).status).toBe(201);
    expect((await upload(a!, channel.id, mib, { type: "application/octet-stream", name: "x.bin" })).status).toBe(413);
    await advance(channel.id, 23 * 3600_000);
    expect(await storedKeys(channel.id)).toHaveLength(3);
    await advance(channel.id, 3600_000 + 1000);
    expect(await storedKeys(channel.id)).toEqual([`channels/${channel.id}/${kept.attachments[0].id}`]);
    expect(await rows(channel.id)).toBe(1);
    expect((await upload(a!, channel.id, mib, { type: "application/octet-stream", name: "again.bin" })).status).toBe(201);
    expect((await download(kept.attachments[0].url)).status).toBe(200);
  });

  it("deleting a message deletes its files and thumbnails; its links answer 404", async () => {
    const [a, b] = await users(2, "cld");
    const channel = await dm(a!, b!);
    const m = await sendFiles(a!, channel.id, [{ bytes: image(64, 64), name: "a.png", type: "image/png" }], "look");
    expect(await storedKeys(channel.id)).toHaveLength(2);
    const del = await api("DELETE", `/channels/${channel.id}/messages/${m.seq}`, { token: a!.token });
    expect(del.body.message.attachments).toBeUndefined();
    // The delete set the room's alarm; it may fire on its own before runDurableObjectAlarm asks.
    await runDurableObjectAlarm(roomOf(channel.id));
    await eventually(async () => (await storedKeys(channel.id)).length === 0);
    expect(await rows(channel.id)).toBe(0);
    expect((await download(m.attachments[0].url)).status).toBe(404);
    expect((await download(m.attachments[0].thumbnailUrl)).status).toBe(404);
  });

  it("a failed upload leaves nothing behind once the alarm has run", async () => {
    const [a, b] = await users(2, "clf");
    const channel = await dm(a!, b!);
    expect((await upload(a!, channel.id, pdfLike(100), { type: "image/png" })).status).toBe(400);
    await runDurableObjectAlarm(roomOf(channel.id));
    await eventually(async () => (await rows(channel.id)) === 0);
  });
});

describe("previews", () => {
  it("say what a message without text carries, in push payloads and the inbox summary", async () => {
    expect(messagePreview({ body: "", attachments: [{ name: "a.png", type: "image/png" }] })).toBe("Photo");
    expect(messagePreview({ body: "", attachments: [{ name: "a.png", type: "image/png" }, { name: "b.jpg", type: "image/jpeg" }] })).toBe("2 photos");
    expect(messagePreview({ body: "", attachments: [{ name: "name.pdf", type: "application/pdf" }] })).toBe("File: name.pdf");
    expect(messagePreview({ body: "", attachments: [{ name: "a.png", type: "image/png" }, { name: "n.pdf", type: "application/pdf" }] })).toBe("2 files");
    expect(messagePreview({ body: "hello", attachments: [{ name: "a.png", type: "image/png" }] })).toBe("hello");
    expect(pushPayload({ channelId: "d_x", seq: 1, senderId: "u", body: "", attachments: [{ name: "name.pdf", type: "application/pdf" }] }).preview).toBe("File: name.pdf");

    const [a, b] = await users(2, "prv");
    const channel = await dm(a!, b!);
    await sendFiles(a!, channel.id, [{ bytes: image(20, 20), name: "a.png", type: "image/png" }]);
    await runDurableObjectAlarm(roomOf(channel.id));
    const summary = await eventually(async () => {
      const list = await api("GET", "/channels", { token: b!.token });
      return list.body.channels.find((s: any) => s.channel.id === channel.id && s.lastMessage);
    });
    expect(messagePreview(summary.lastMessage)).toBe("Photo");
  });
});

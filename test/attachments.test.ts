import { describe, expect, it } from "vitest";
import { dm, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { download, image, pdfLike, storedKeys, upload } from "./helpers/attachments";

async function send(u: { token: string }, channelId: string, attachments: string[], body = "") {
  return api("POST", `/channels/${channelId}/messages`, { token: u.token, json: { clientMsgId: crypto.randomUUID(), body, attachments } });
}

describe("uploads and downloads", () => {
  it("sends a PNG with no text; the other member gets the same bytes, a JPEG thumbnail and a placeholder", async () => {
    const [a, b] = await users(2, "att");
    const channel = await dm(a!, b!);
    const png = image(640, 480);
    const up = await upload(a!, channel.id, png, { name: "sunset.png" });
    expect(up.status).toBe(201);
    expect(up.body.attachment).toEqual({ id: expect.any(String), name: "sunset.png", type: "image/png", size: png.length, width: 640, height: 480 });
    const sent = await send(a!, channel.id, [up.body.attachment.id]);
    expect(sent.status).toBe(201);
    const hist = await api("GET", `/channels/${channel.id}/messages`, { token: b!.token });
    const [file] = hist.body.messages[0].attachments;
    expect(file).toMatchObject({ id: up.body.attachment.id, name: "sunset.png", type: "image/png", width: 640, height: 480 });
    expect(file.url).toMatch(/^\/api\/files\//);
    expect(file.url).not.toContain(a!.token);
    expect(file.placeholder).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const got = await download(file.url);
    expect(got.status).toBe(200);
    expect(got.bytes).toEqual(png);
    expect(got.headers.get("Content-Type")).toBe("image/png");
    expect(got.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(got.headers.get("Cache-Control")).toMatch(/^private, max-age=\d+$/);
    const thumb = await download(file.thumbnailUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("Content-Type")).toBe("image/jpeg");
    expect([thumb.bytes[0], thumb.bytes[1]]).toEqual([0xff, 0xd8]);
  });
});

describe("files", () => {
  it("serves a non-image as a download: octet-stream, attachment with its name, nosniff, byte ranges", async () => {
    const [a, b] = await users(2, "attf");
    const channel = await dm(a!, b!);
    const pdf = pdfLike(5000);
    const up = await upload(a!, channel.id, pdf, { name: "report é.pdf", type: "application/pdf" });
    expect(up.status).toBe(201);
    expect(up.body.attachment).toEqual({ id: expect.any(String), name: "report é.pdf", type: "application/pdf", size: 5000 });
    const { body } = await send(a!, channel.id, [up.body.attachment.id], "the report");
    const [file] = body.message.attachments;
    expect(file.thumbnailUrl).toBeUndefined();
    expect(file.placeholder).toBeUndefined();
    const got = await download(file.url);
    expect(got.bytes).toEqual(pdf);
    expect(got.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(got.headers.get("Content-Disposition")).toBe(`attachment; filename="report _.pdf"; filename*=UTF-8''report%20%C3%A9.pdf`);
    expect(got.headers.get("X-Content-Type-Options")).toBe("nosniff");

    const part = await download(file.url, { Range: "bytes=100-199" });
    expect(part.status).toBe(206);
    expect(part.headers.get("Content-Range")).toBe("bytes 100-199/5000");
    expect(part.bytes).toEqual(pdf.slice(100, 200));
    const tail = await download(file.url, { Range: "bytes=-10" });
    expect(tail.status).toBe(206);
    expect(tail.bytes).toEqual(pdf.slice(4990));
    const open = await download(file.url, { Range: "bytes=4000-" });
    expect(open.bytes).toEqual(pdf.slice(4000));
    const past = await download(file.url, { Range: "bytes=5000-5100" });
    expect(past.status).toBe(416);
    expect(past.headers.get("Content-Range")).toBe("bytes */5000");
  });

  it("serves types it cannot vouch for (HTML, SVG) as downloads, never inline", async () => {
    const [a, b] = await users(2, "atth");
    const channel = await dm(a!, b!);
    const html = new TextEncoder().encode("<script>alert(1)</script>");
    const up = await upload(a!, channel.id, html, { name: "x.html", type: "text/html" });
    const { body } = await send(a!, channel.id, [up.body.attachment.id]);
    const got = await download(body.message.attachments[0].url);
    expect(got.headers.get("Content-Type")).toBe("application/octet-stream");
    expect(got.headers.get("Content-Disposition")).toMatch(/^attachment;/);
  });
});

describe("upload rules", () => {
  it("refuses a body longer than its Content-Length and stores nothing", async () => {
    const [a, b] = await users(2, "attl");
    const channel = await dm(a!, b!);
    const bytes = pdfLike(2000);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    });
    const res = await upload(a!, channel.id, stream, { type: "application/pdf", name: "long.pdf", headers: { "Content-Length": "1000" } });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "bad_request", message: "the body does not match its Content-Length" });
    expect(await storedKeys(channel.id)).toEqual([]);
    expect((await send(a!, channel.id, [])).status).toBe(400);
  });

  it("refuses a body shorter than its Content-Length and stores nothing", async () => {
    const [a, b] = await users(2, "atts");
    const channel = await dm(a!, b!);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(pdfLike(500));
        c.close();
      },
    });
    const res = await upload(a!, channel.id, stream, { type: "application/pdf", name: "short.pdf", headers: { "Content-Length": "1000" } });
    expect(res.status).toBe(400);
    expect(await storedKeys(channel.id)).toEqual([]);
  });

  it("refuses a non-image sent as image/png, and an image of another type than declared", async () => {
    const [a, b] = await users(2, "attn");
    const channel = await dm(a!, b!);
    const fake = await upload(a!, channel.id, pdfLike(3000), { type: "image/png", name: "fake.png" });
    expect(fake.status).toBe(400);
    expect(fake.body.error).toEqual({ code: "bad_request", message: "the file is not a PNG image" });
    const jpegAsPng = await upload(a!, channel.id, image(50, 40, "jpeg"), { type: "image/png" });
    expect(jpegAsPng.status).toBe(400);
    expect(await storedKeys(channel.id)).toEqual([]);
    // JPEG and WebP declared as what they are are fine.
    expect((await upload(a!, channel.id, image(50, 40, "jpeg"), { type: "image/jpeg", name: "a.jpg" })).body.attachment).toMatchObject({ width: 50, height: 40 });
    expect((await upload(a!, channel.id, image(60, 30, "webp"), { type: "image/webp", name: "a.webp" })).body.attachment).toMatchObject({ width: 60, height: 30 });
  });

  it("answers 413 too_large from the Content-Length alone, before reading the file", async () => {
    const [a, b] = await users(2, "attb");
    const channel = await dm(a!, b!);
    const res = await upload(a!, channel.id, new Uint8Array(1024 * 1024 + 1), { type: "application/octet-stream", name: "big.bin" });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("too_large");
    expect((await upload(a!, channel.id, new Uint8Array(1024 * 1024), { type: "application/octet-stream", name: "max.bin" })).status).toBe(201);
  });

  it("holds each user to the storage quota in a channel: 413 quota_exceeded, others unaffected", async () => {
    const [a, b] = await users(2, "attq");
    const channel = await dm(a!, b!);
    const mib = new Uint8Array(1024 * 1024);
    for (let i = 0; i < 3; i++) expect((await upload(a!, channel.id, mib, { type: "application/octet-stream", name: `${i}.bin` })).status).toBe(201);
    const over = await upload(a!, channel.id, new Uint8Array(1), { type: "application/octet-stream", name: "one.bin" });
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("quota_exceeded");
    expect((await upload(b!, channel.id, mib, { type: "application/octet-stream", name: "b.bin" })).status).toBe(201);
  });

  it("hides the channel from non-members (404) and refuses unknown sessions (401)", async () => {
    const [a, b, c] = await users(3, "attm");
    const channel = await dm(a!, b!);
    const res = await upload(c!, channel.id, image(10, 10));
    expect(res.status).toBe(404);
    expect((await upload({ ...c!, token: "nope" }, channel.id, image(10, 10))).status).toBe(401);
    expect((await upload(a!, "g_doesnotexist123", image(10, 10))).status).toBe(404);
    expect(await storedKeys(channel.id)).toEqual([]);
  });

  it("requires a file name without control characters or slashes", async () => {
    const [a, b] = await users(2, "attq");
    const channel = await dm(a!, b!);
    for (const name of ["", "a/b.txt", "a\u0000b", "x".repeat(201)]) {
      expect((await upload(a!, channel.id, pdfLike(10), { name, type: "text/plain" })).status, JSON.stringify(name)).toBe(400);
    }
  });
});

describe("sending attachments", () => {
  it("takes only the sender's own unsent uploads to this channel, at most 10, each once", async () => {
    const [a, b, c] = await users(3, "atts");
    const channel = await dm(a!, b!);
    const other = await dm(a!, c!);
    const mine = (await upload(a!, channel.id, pdfLike(10), { type: "text/plain", name: "a.txt" })).body.attachment.id;
    const theirs = (await upload(b!, channel.id, pdfLike(10), { type: "text/plain", name: "b.txt" })).body.attachment.id;
    const elsewhere = (await upload(a!, other.id, pdfLike(10), { type: "text/plain", name: "c.txt" })).body.attachment.id;
    expect((await send(a!, channel.id, [theirs])).status).toBe(400);
    expect((await send(a!, channel.id, [elsewhere])).status).toBe(400);
    expect((await send(a!, channel.id, ["AAAAAAAAAAAAAAAAAAAAAA"])).status).toBe(400);
    expect((await send(a!, channel.id, [mine, mine])).status).toBe(400);
    expect((await send(a!, channel.id, Array.from({ length: 11 }, () => mine))).status).toBe(400);
    expect((await send(a!, channel.id, [])).status).toBe(400);
    // None of the refusals used it up.
    expect((await send(a!, channel.id, [mine])).status).toBe(201);
    expect((await send(a!, channel.id, [mine])).status).toBe(400);
    const hist = await api("GET", `/channels/${channel.id}/messages`, { token: a!.token });
    expect(hist.body.messages.map((m: any) => m.attachments?.length ?? 0)).toEqual([1]);
  });

  it("keeps the order of up to 10 attachments, on the socket (ack and message) as over HTTP", async () => {
    const [a, b] = await users(2, "atto");
    const channel = await dm(a!, b!);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await upload(a!, channel.id, pdfLike(10 + i), { type: "text/plain", name: `${i}.txt` })).body.attachment.id);
    const { openSocket } = await import("./helpers/socket");
    const wa = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    const wb = await openSocket(`/channels/${channel.id}/socket`, b!.token);
    await wa.next("welcome");
    await wb.next("welcome");
    wa.send({ type: "send", clientMsgId: "m1", body: "", attachments: ids });
    const ack = await wa.next("ack");
    expect(ack.message.attachments.map((f: any) => f.id)).toEqual(ids);
    const got = await wb.next("message");
    expect(got.message.attachments.map((f: any) => f.name)).toEqual(ids.map((_, i) => `${i}.txt`));
    // A retry of the same clientMsgId answers the first copy, attachments and all.
    wa.send({ type: "send", clientMsgId: "m1", body: "", attachments: ids });
    expect((await wa.next("ack")).message.attachments).toHaveLength(10);
    wa.send({ type: "send", clientMsgId: "m2", body: "" });
    expect(await wa.next("error")).toMatchObject({ code: "bad_request", clientMsgId: "m2" });
    wa.close();
    wb.close();
  });
});

describe("server-made thumbnails", () => {
  it("are made only for images up to the documented pixel count; larger ones are checked by their header alone", async () => {
    const [a, b] = await users(2, "attp");
    const channel = await dm(a!, b!);
    // A PNG header for 5000x3000 (15 MP, over MAX_SERVER_THUMBNAIL_PIXELS) with no pixels behind it.
    const png = new Uint8Array(64);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x13, 0x88, 0, 0, 0x0b, 0xb8]);
    const up = await upload(a!, channel.id, png, { name: "huge.png" });
    expect(up.status).toBe(201);
    expect(up.body.attachment).toMatchObject({ width: 5000, height: 3000 });
    const { body } = await send(a!, channel.id, [up.body.attachment.id]);
    expect(body.message.attachments[0].thumbnailUrl).toBeUndefined();
    // Within the limit, an image that does not decode is refused.
    png.set([0, 0, 0x03, 0xe8, 0, 0, 0x03, 0xe8], 16);
    expect((await upload(a!, channel.id, png, { name: "broken.png" })).body.error).toEqual({ code: "bad_request", message: "the image cannot be decoded" });
  });
});

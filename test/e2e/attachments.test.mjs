// Attachments through `npm start` (wrangler dev, local R2): a real PNG and a
// PDF-like file uploaded with the SDK by one member and downloaded, as the
// same bytes, by the other; an outsider gets nothing; refusals of large
// bodies answer cleanly instead of losing the connection.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildSdk } from "../../scripts/build-web.mjs";
import { pngImage, pdfLike } from "./helpers/images.mjs";
import { startService } from "./helpers/service.mjs";

let service;
let sdk;
let sdkDir;

async function api(method, path, { token, json, body, headers = {} } = {}) {
  const res = await fetch(`${service.baseUrl}/api${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(json ? { "Content-Type": "application/json" } : {}), ...headers },
    body: json ? JSON.stringify(json) : body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function person(prefix) {
  const handle = `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  const res = await api("POST", "/auth/signup", { json: { handle, password: "correct horse battery", displayName: prefix } });
  assert.equal(res.status, 201);
  return { handle, token: res.body.token, id: res.body.user.id };
}

before(async () => {
  sdkDir = mkdtempSync(join(tmpdir(), "edge-chat-attach-sdk-"));
  const [outfile, started] = await Promise.all([buildSdk({ outfile: join(sdkDir, "sdk.mjs") }), startService({ vars: { MAX_ATTACHMENT_BYTES: String(4 * 1024 * 1024) } })]);
  sdk = await import(outfile);
  service = started;
});

after(async () => {
  await service?.stop();
  if (sdkDir) rmSync(sdkDir, { recursive: true, force: true });
});

describe("attachments through npm start", () => {
  test("a PNG and a PDF-like file reach the other member as the same bytes; an outsider gets nothing", async () => {
    const [a, b, c] = [await person("ea"), await person("eb"), await person("ec")];
    const channel = (await api("POST", "/dms", { token: a.token, json: { handle: b.handle } })).body.channel;
    const png = pngImage(800, 600);
    const pdf = pdfLike(300_000);
    const progress = [];
    const photo = await sdk.uploadAttachment({ baseUrl: service.baseUrl, token: a.token, channelId: channel.id, file: new Blob([png], { type: "image/png" }), name: "view.png", onProgress: (p) => progress.push(p) });
    assert.deepEqual({ ...photo, id: undefined }, { id: undefined, name: "view.png", type: "image/png", size: png.length, width: 800, height: 600 });
    assert.equal(progress.at(-1).loaded, png.length);
    const file = await sdk.uploadAttachment({ baseUrl: service.baseUrl, token: a.token, channelId: channel.id, file: new Blob([pdf]), name: "minutes.pdf", type: "application/pdf" });
    const sent = await api("POST", `/channels/${channel.id}/messages`, { token: a.token, json: { clientMsgId: "e1", body: "", attachments: [photo.id, file.id] } });
    assert.equal(sent.status, 201);

    const history = await api("GET", `/channels/${channel.id}/messages`, { token: b.token });
    const [shot, doc] = history.body.messages[0].attachments;
    const get = (url, headers = {}) => fetch(service.baseUrl + url, { headers });
    const image = await get(shot.url);
    assert.equal(image.headers.get("content-type"), "image/png");
    assert.deepEqual(Buffer.from(await image.arrayBuffer()), png);
    const thumb = await get(shot.thumbnailUrl);
    assert.equal(thumb.headers.get("content-type"), "image/jpeg");
    assert.ok((await thumb.arrayBuffer()).byteLength > 100);
    assert.ok(shot.placeholder);
    const download = await get(doc.url);
    assert.equal(download.headers.get("content-type"), "application/octet-stream");
    assert.match(download.headers.get("content-disposition"), /^attachment; filename="minutes.pdf"/);
    assert.equal(download.headers.get("x-content-type-options"), "nosniff");
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), pdf);
    const part = await get(doc.url, { Range: "bytes=1000-1999" });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), pdf.subarray(1000, 2000));
    assert.equal((await get(doc.url, { Range: `bytes=${pdf.length}-` })).status, 416);

    // The outsider: no history, no upload, and a link with its signature touched is refused.
    assert.equal((await api("GET", `/channels/${channel.id}/messages`, { token: c.token })).status, 404);
    assert.equal((await api("POST", `/channels/${channel.id}/attachments?name=x.pdf`, { token: c.token, body: pdf, headers: { "Content-Type": "application/pdf" } })).status, 404);
    // A different first character of the signature (one that was already "_" would change nothing).
    const tampered = doc.url.replace(/s=(.)/, (_, ch) => `s=${ch === "_" ? "A" : "_"}`);
    assert.notEqual(tampered, doc.url);
    assert.equal((await get(tampered)).status, 403);
  });

  test("refusals of large bodies are answered, not dropped: 413 too_large and a non-member's 404", async () => {
    const [a, b, c] = [await person("ra"), await person("rb"), await person("rc")];
    const channel = (await api("POST", "/dms", { token: a.token, json: { handle: b.handle } })).body.channel;
    const big = pdfLike(5 * 1024 * 1024);
    const tooLarge = await api("POST", `/channels/${channel.id}/attachments?name=big.bin`, { token: a.token, body: big, headers: { "Content-Type": "application/octet-stream" } });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error.code, "too_large");
    const outsider = await api("POST", `/channels/${channel.id}/attachments?name=x.bin`, { token: c.token, body: big.subarray(0, 3 * 1024 * 1024), headers: { "Content-Type": "application/octet-stream" } });
    assert.equal(outsider.status, 404);
  });

  test("the SDK's upload can be cancelled", async () => {
    const [a, b] = [await person("ca"), await person("cb")];
    const channel = (await api("POST", "/dms", { token: a.token, json: { handle: b.handle } })).body.channel;
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      sdk.uploadAttachment({ baseUrl: service.baseUrl, token: a.token, channelId: channel.id, file: new Blob([pdfLike(1000)]), name: "x.bin", signal: controller.signal }),
      (err) => err.name === "AbortError",
    );
  });
});

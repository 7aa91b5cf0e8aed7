// Encrypted channels against the real service (wrangler dev, workerd, local
// D1 and Durable Object storage under --persist-to), with the MLS client
// module under Node: two people on three devices exchange messages, add and
// remove a member, send a file; then no file of the service's state holds their words, nor the file's bytes or name,
// while the words of a plaintext channel, stored the same way, are found.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import * as esbuild from "esbuild";
import { startService } from "./helpers/service.mjs";

const PASSWORD = "correct horse battery";
let service;
let e2ee;
let dir;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "edge-chat-e2ee-"));
  const outfile = join(dir, "e2ee.mjs");
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL("../../src/client/e2ee/index.ts", import.meta.url))],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    logLevel: "warning",
  });
  e2ee = await import(outfile);
  service = await startService({ persistTo: join(dir, "state"), build: false });
});

after(async () => {
  await service?.stop({ removeData: false });
  rmSync(dir, { recursive: true, force: true });
});

async function call(token, method, path, body) {
  const res = await fetch(`${service.baseUrl}/api${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json();
  if (res.status >= 400) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`), { status: res.status, code: json?.error?.code });
  return json;
}

/** Uploads `blob` (as its own type) to a channel; answers the attachment. */
async function upload(token, channelId, name, blob) {
  const res = await fetch(`${service.baseUrl}/api/channels/${channelId}/attachments?name=${encodeURIComponent(name)}`, { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": blob.type }, body: blob });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).attachment;
}

async function person(handle) {
  const res = await fetch(`${service.baseUrl}/api/auth/signup`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ handle, password: PASSWORD, displayName: handle }) });
  assert.equal(res.status, 201);
  return res.json();
}

async function device(p, name) {
  const d = await e2ee.MlsDevice.open(p.user.id, name, new e2ee.MemoryStore());
  const session = new e2ee.E2eeSession(d, (method, path, body) => call(p.token, method, path, body));
  await session.publishKeyPackages();
  return session;
}

const words = (received) => received.flatMap((r) => (r.kind === "content" && r.content.type === "text" ? [r.content.body] : []));

/** Every file under `root` whose bytes contain `needle` (UTF-8), with its path. */
function filesContaining(root, needle) {
  const hits = [];
  const bytes = Buffer.from(needle, "utf8");
  const walk = (p) => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (readFileSync(full).includes(bytes)) hits.push(full);
    }
  };
  walk(root);
  return hits;
}

test("two people on three devices talk in an encrypted group and DM; the stored state holds none of their words", { timeout: 180_000 }, async () => {
  const tag = Date.now().toString(36);
  const alice = await person(`ali_${tag}`);
  const bob = await person(`bob_${tag}`);
  const carol = await person(`car_${tag}`);
  const a = await device(alice, "alice-laptop");
  const bPhone = await device(bob, "bob-phone");
  const bLaptop = await device(bob, "bob-laptop");
  const c = await device(carol, "carol-phone");

  const { channel } = await a.createGroup("plans");
  await a.addUsers(channel.id, [bob.user.handle, carol.user.handle]);
  for (const d of [bPhone, bLaptop, c]) assert.deepEqual((await d.joinWelcomed()).map((g) => g.channelId), [channel.id]);

  const secret1 = `zebra-umbrella-${tag}`;
  const secret2 = `quokka-lantern-${tag}`;
  await a.send(channel.id, { type: "text", body: `the code is ${secret1}` });
  await bPhone.send(channel.id, { type: "text", body: `got it, mine is ${secret2}` });
  assert.deepEqual(words(await bLaptop.sync(channel.id)), [`the code is ${secret1}`, `got it, mine is ${secret2}`]);
  assert.deepEqual(words(await c.sync(channel.id)), [`the code is ${secret1}`, `got it, mine is ${secret2}`]);

  // A file: its bytes and its name are sealed in the browser's way (a fresh AES-GCM key), the server gets ciphertext.
  const fileWords = `capybara-accordion-${tag}`;
  const fileName = `ocelot-saxophone-${tag}.txt`;
  const plainFile = new TextEncoder().encode(`the vault opens with ${fileWords}`);
  const sealed = await e2ee.sealFile(new Blob([plainFile]));
  const up = await upload(alice.token, channel.id, "encrypted", sealed.data);
  await a.send(channel.id, { type: "text", body: "", files: [{ id: up.id, name: fileName, type: "text/plain", size: plainFile.length, key: sealed.key, iv: sealed.iv }] });
  const [got] = await bLaptop.sync(channel.id);
  assert.equal(got.content.files[0].name, fileName);

  // Carol leaves the group (removed by its creator); what follows is not hers to read.
  await a.removeDevices(channel.id, (m) => m.userId === carol.user.id);
  const secret3 = `walrus-teapot-${tag}`;
  const after = await a.send(channel.id, { type: "text", body: secret3 });
  assert.deepEqual(words(await bLaptop.sync(channel.id)), [secret3]);
  assert.equal((await (await c.open(channel.id)).receive(after)).kind, "undecryptable");
  await assert.rejects(call(carol.token, "GET", `/channels/${channel.id}/messages`), { status: 404 });

  const dm = (await a.createDm(bob.user.handle)).channel;
  await a.addUsers(dm.id, [bob.user.handle]);
  await bPhone.joinWelcomed();
  await bLaptop.joinWelcomed();
  const secret4 = `narwhal-bicycle-${tag}`;
  await bLaptop.send(dm.id, { type: "text", body: secret4 });
  assert.deepEqual(words(await a.sync(dm.id)), [secret4]);
  assert.deepEqual(words(await bPhone.sync(dm.id)), [secret4]);

  // The control: a plaintext group's words are in the same storage, so the search below can find words.
  const plain = await call(alice.token, "POST", "/channels", { title: "open", members: [bob.user.handle] });
  const control = `platypus-harmonica-${tag}`;
  const controlFile = `pangolin-xylophone-${tag}`;
  const plainUp = await upload(alice.token, plain.channel.id, `${controlFile}.txt`, new Blob([`and in the clear: ${controlFile}`], { type: "text/plain" }));
  await call(alice.token, "POST", `/channels/${plain.channel.id}/messages`, { clientMsgId: "c1", body: control, attachments: [plainUp.id] });

  await service.stop({ removeData: false });
  service = undefined;
  const state = join(dir, "state");
  assert.ok(filesContaining(state, control).length > 0, "the plaintext control message is stored somewhere under --persist-to");
  assert.ok(filesContaining(state, controlFile).length > 0, "a plaintext channel's file (and its name) is stored somewhere too");
  for (const s of [secret1, secret2, secret3, secret4, fileWords, fileName]) assert.deepEqual(filesContaining(state, s), [], `no stored file holds "${s}"`);
});

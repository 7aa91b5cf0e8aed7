import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dm, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { eventually } from "./helpers/socket";
import { storedKeys, upload } from "./helpers/attachments";

// vitest.config.ts: files up to 1 MiB, 3 MiB per user in one channel, 5 MiB per user in all.
const MIB = 1024 * 1024;
const roomOf = (channelId: string) => env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));
const file = (name: string, size = MIB) => ({ bytes: new Uint8Array(size), name });

describe("the per-user storage quota (USER_ATTACHMENT_QUOTA_BYTES)", () => {
  it("counts a user's files in every channel: past it 413 quota_exceeded, nothing stored, others unaffected; a purged file frees its room", async () => {
    const [a, b, c, d] = await users(4, "uq");
    const [ab, ac, ad] = [await dm(a!, b!), await dm(a!, c!), await dm(a!, d!)];
    const put = (u: typeof a, channelId: string, f: { bytes: Uint8Array<ArrayBuffer>; name: string }) => upload(u!, channelId, f.bytes, { name: f.name, type: "application/octet-stream" });

    const first = await put(a, ab.id, file("ab0.bin"));
    expect(first.status).toBe(201);
    for (const name of ["ab1.bin", "ab2.bin"]) expect((await put(a, ab.id, file(name))).status).toBe(201);
    for (const name of ["ac0.bin", "ac1.bin"]) expect((await put(a, ac.id, file(name))).status).toBe(201);

    // 5 MiB kept in two channels: a third channel, where a holds nothing, refuses even one byte.
    const over = await put(a, ad.id, file("one.bin", 1));
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe("quota_exceeded");
    expect(over.body.error.message).toMatch(/in all/);
    await runDurableObjectAlarm(roomOf(ad.id));
    expect(await storedKeys(ad.id)).toEqual([]);
    // The quota is a's alone.
    expect((await put(b, ab.id, file("b.bin"))).status).toBe(201);
    expect((await put(d, ad.id, file("d.bin"))).status).toBe(201);

    // A deleted message's file is purged by its room's alarm, and stops counting.
    const sent = await api("POST", `/channels/${ab.id}/messages`, { token: a!.token, json: { clientMsgId: crypto.randomUUID(), body: "", attachments: [first.body.attachment.id] } });
    expect(sent.status).toBe(201);
    expect((await api("DELETE", `/channels/${ab.id}/messages/${sent.body.message.seq}`, { token: a!.token })).status).toBe(200);
    await runDurableObjectAlarm(roomOf(ab.id));
    await eventually(async () => !(await storedKeys(ab.id)).some((k) => k.endsWith(first.body.attachment.id)));
    await eventually(async () => (await put(a, ad.id, file("fits.bin"))).status === 201);
    expect((await put(a, ad.id, file("over.bin", 1))).status).toBe(413);
  });
});

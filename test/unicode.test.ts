import { describe, expect, it } from "vitest";
import { dm, post, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { openSocket } from "./helpers/socket";

// JSON can carry lone UTF-16 surrogates ("\ud800"); UTF-8 storage cannot.
// They are refused, so what is stored and acked is exactly what was sent.
describe("text that is not valid Unicode", () => {
  it("refuses lone surrogates in bodies and clientMsgIds over HTTP and stores nothing", async () => {
    const [a, b] = await users(2, "uni");
    const channel = await dm(a!, b!);
    for (const json of [
      { clientMsgId: "ok-1", body: "x\ud800y" },
      { clientMsgId: "ok-2", body: "\udfff" },
      { clientMsgId: "id\ud801", body: "fine" },
    ]) {
      const res = await api("POST", `/channels/${channel.id}/messages`, { token: a!.token, json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
    }
    expect((await api("GET", `/channels/${channel.id}/messages`, { token: a!.token })).body.messages).toEqual([]);
    expect((await api("PATCH", "/me", { token: a!.token, json: { displayName: "a\ud800" } })).status).toBe(400);
    expect((await api("POST", "/channels", { token: a!.token, json: { title: "t\udc00", members: [] } })).status).toBe(400);
  });

  it("refuses them on the socket with an error frame, and keeps the socket usable", async () => {
    const [a, b] = await users(2, "unis");
    const channel = await dm(a!, b!);
    const ws = await openSocket(`/channels/${channel.id}/socket`, a!.token);
    await ws.next("welcome");
    ws.send({ type: "send", clientMsgId: "s1", body: "bad \ud83d" });
    expect(await ws.next("error")).toMatchObject({ code: "bad_request", clientMsgId: "s1" });
    ws.send({ type: "send", clientMsgId: "s2", body: "good 🙂 é \u202e" });
    expect((await ws.next("ack")).message).toMatchObject({ seq: 1, body: "good 🙂 é \u202e" });
    ws.close();
  });

  it("stores astral characters, BOMs and direction marks exactly as sent", async () => {
    const [a, b] = await users(2, "unia");
    const channel = await dm(a!, b!);
    const body = "\ufeff𝄞 👩‍👩‍👧 \u200b\u202e abc \u0000 end";
    expect((await post(a!, channel.id, body, "astral")).status).toBe(201);
    const [stored] = (await api("GET", `/channels/${channel.id}/messages`, { token: b!.token })).body.messages;
    expect(stored.body).toBe(body);
  });
});

import { describe, expect, it } from "vitest";
import { group, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { openSocket } from "./helpers/socket";

describe("POST /auth/logout-all", () => {
  it("revokes every session of the user and closes all their sockets with 4401, leaving other users alone", async () => {
    const [me, other] = await users(2, "lga");
    const channelId = (await group(me!, [other!], "g")).id;
    const second = (await api("POST", "/auth/login", { json: { handle: me!.handle, password: me!.password } })).body.token as string;
    const sockets = [
      await openSocket(`/channels/${channelId}/socket`, me!.token, "laptop"),
      await openSocket(`/channels/${channelId}/socket`, second, "phone"),
      await openSocket("/inbox/socket", second, "phone"),
    ];
    const theirs = await openSocket(`/channels/${channelId}/socket`, other!.token, "theirs");
    await Promise.all([...sockets, theirs].map((s) => s.next("welcome")));

    expect((await api("POST", "/auth/logout-all", { token: me!.token })).status).toBe(204);
    for (const s of sockets) expect((await s.closed).code).toBe(4401);
    for (const token of [me!.token, second]) expect((await api("GET", "/me", { token })).status).toBe(401);
    // The other member's socket and session are untouched.
    theirs.send({ type: "send", clientMsgId: "still", body: "still here" });
    expect((await theirs.next("ack")).message.body).toBe("still here");
    expect((await api("GET", "/me", { token: other!.token })).status).toBe(200);
    theirs.close();
    // Logging in again works: only the old sessions went.
    expect((await api("POST", "/auth/login", { json: { handle: me!.handle, password: me!.password } })).status).toBe(200);
  });
});

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/accounts/encoding";
import { group, users } from "./helpers/channels";
import { api } from "./helpers/http";
import { openSocket } from "./helpers/socket";

/** Shortens a session's life in D1, as if it had been created long ago. */
async function expireIn(token: string, ms: number): Promise<number> {
  const at = Date.now() + ms;
  await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE id = ?").bind(at, await sha256Hex(token)).run();
  return at;
}

describe("sockets and their session's expiry", () => {
  it("closes a channel socket and an inbox socket with 4401 when their session expires, even if the client claims a later expiry, and keeps other sessions' sockets", async () => {
    const [me, other] = await users(2, "exp");
    const channelId = (await group(me!, [other!], "g")).id;
    const short = (await api("POST", "/auth/login", { json: { handle: me!.handle, password: me!.password } })).body.token as string;
    const expiresAt = await expireIn(short, 1500);
    // The header the Worker forwards the expiry in, forged by the client: the Worker's own value replaces it.
    const forged = { "X-Chat-Session-Expires": String(Date.now() + 3600_000) };
    const channel = await openSocket(`/channels/${channelId}/socket`, short, "phone", forged);
    const inbox = await openSocket("/inbox/socket", short, "phone");
    const kept = await openSocket(`/channels/${channelId}/socket`, me!.token, "laptop");
    await Promise.all([channel.next("welcome"), inbox.next("welcome"), kept.next("welcome")]);

    const [c, i] = await Promise.all([channel.closed, inbox.closed]);
    const late = Date.now() - expiresAt;
    expect(c.code).toBe(4401);
    expect(i.code).toBe(4401);
    console.log(`closed ${late} ms after expiry`);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1500);
    // The long session's socket is untouched, and the expired token no longer works.
    kept.send({ type: "send", clientMsgId: "still", body: "still here" });
    expect((await kept.next("ack")).message.body).toBe("still here");
    kept.close();
    expect((await api("GET", "/me", { token: short })).status).toBe(401);
  });
});

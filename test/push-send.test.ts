import { beforeAll, describe, expect, inject, it } from "vitest";
import { checkPushEndpoint, generateVapidKeys, pushPayload, sendWebPush, type VapidKeys } from "../src/push";
import { expire, getNotifications, subscribe } from "./helpers/push-receiver.mjs";

// End to end against web-push-testing (started by test/global-setup.ts): it
// checks the VAPID JWT and decrypts the aes128gcm body, as a push service and
// browser would.
const receiver = inject("pushReceiverUrl");
const options = { ttl: 60, urgency: "high" } as const;

describe("sendWebPush against a local push service", () => {
  let vapid: VapidKeys;
  beforeAll(async () => {
    vapid = await generateVapidKeys("mailto:tests@example.com");
  });

  it("delivers a payload the receiver decrypts back to the same JSON", async () => {
    const sub = await subscribe(receiver, vapid.publicKey);
    // The receiver's plain-http 127.0.0.1 endpoint is what PUSH_INSECURE_ENDPOINTS=true lets through.
    expect(checkPushEndpoint(sub.endpoint, true).origin).toBe(receiver);

    const payload = pushPayload({ channelId: "c1", seq: 3, senderId: "u9", body: "Grüße 👋 ".repeat(30) });
    const result = await sendWebPush(sub, payload, vapid, { ...options, topic: "c1" });

    expect(result).toEqual({ status: 201 });
    const received = await getNotifications(receiver, sub.clientHash);
    expect(received.map((m) => JSON.parse(m))).toEqual([payload]);
  });

  it("is refused when signed with another VAPID key than the subscription's", async () => {
    const sub = await subscribe(receiver, vapid.publicKey);
    const stranger = await generateVapidKeys("mailto:stranger@example.com");

    const result = await sendWebPush(sub, { type: "message" }, stranger, options);

    expect(result.status).toBe(400);
    expect(await getNotifications(receiver, sub.clientHash)).toEqual([]);
  });

  it("answers 410 for an expired subscription", async () => {
    const sub = await subscribe(receiver, vapid.publicKey);
    await expire(receiver, sub.clientHash);

    const result = await sendWebPush(sub, pushPayload({ channelId: "c1", seq: 1, senderId: "u1", body: "hi" }), vapid, options);

    expect(result.status).toBe(410);
    expect(await getNotifications(receiver, sub.clientHash)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../src/accounts/encoding";
import { encryptAes128gcm, MAX_PLAINTEXT_BYTES } from "../src/push/encrypt";
import { generateVapidKeys, importP256PrivateKey } from "../src/push/keys";
import { vapidAuthorization } from "../src/push/vapid";

const bytes = (b64url: string) => Uint8Array.from(fromBase64Url(b64url));

// RFC 8291 Appendix A, published test data.
const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  body:
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

describe("aes128gcm encryption (RFC 8291)", () => {
  it("matches the RFC 8291 Appendix A ciphertext byte for byte", async () => {
    const publicKey = bytes(RFC.asPublic);
    const privateKey = await importP256PrivateKey(publicKey, bytes(RFC.asPrivate), "ECDH");
    const body = await encryptAes128gcm(
      new TextEncoder().encode(RFC.plaintext),
      { p256dh: RFC.uaPublic, auth: RFC.auth },
      { salt: bytes(RFC.salt), serverKeys: { publicKey, privateKey } },
    );
    expect(toBase64Url(body)).toBe(RFC.body);
  });

  it("writes the 86-byte header: random salt, rs 4096, idlen 65, a fresh server key", async () => {
    const keys = { p256dh: RFC.uaPublic, auth: RFC.auth };
    const a = await encryptAes128gcm(new TextEncoder().encode("hi"), keys);
    const b = await encryptAes128gcm(new TextEncoder().encode("hi"), keys);
    const view = new DataView(a.buffer);
    expect(view.getUint32(16)).toBe(4096);
    expect(a[20]).toBe(65);
    expect(a[21]).toBe(0x04);
    expect(a.length).toBe(86 + 2 + 1 + 16);
    expect(toBase64Url(a.slice(0, 16))).not.toBe(toBase64Url(b.slice(0, 16)));
    expect(toBase64Url(a.slice(21, 86))).not.toBe(toBase64Url(b.slice(21, 86)));
  });

  it("refuses a payload that would not fit the 4096 bytes a push service must accept", async () => {
    const keys = { p256dh: RFC.uaPublic, auth: RFC.auth };
    const fits = await encryptAes128gcm(new Uint8Array(MAX_PLAINTEXT_BYTES), keys);
    expect(fits.length).toBe(4096);
    await expect(encryptAes128gcm(new Uint8Array(MAX_PLAINTEXT_BYTES + 1), keys)).rejects.toThrow(/at most/);
  });
});

describe("VAPID (RFC 8292)", () => {
  const decodeJson = (part: string) => JSON.parse(new TextDecoder().decode(fromBase64Url(part)));

  it("signs an ES256 JWT that verifies with the public key and carries aud, exp and sub", async () => {
    const vapid = await generateVapidKeys("mailto:ops@example.com");
    const now = Date.UTC(2026, 0, 1);
    const header = await vapidAuthorization("https://push.example.net:8443/wpush/v2/abc?x=1", vapid, now);

    const match = /^vapid t=([\w-]+)\.([\w-]+)\.([\w-]+), k=([\w-]+)$/.exec(header);
    expect(match).not.toBeNull();
    const [, head, claims, signature, k] = match!;
    expect(k).toBe(vapid.publicKey);
    expect(decodeJson(head!)).toEqual({ typ: "JWT", alg: "ES256" });
    expect(decodeJson(claims!)).toEqual({
      aud: "https://push.example.net:8443",
      exp: now / 1000 + 12 * 3600,
      sub: "mailto:ops@example.com",
    });

    const key = await crypto.subtle.importKey("raw", bytes(k!), { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    const verify = (input: string) =>
      crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, bytes(signature!), new TextEncoder().encode(input));
    expect(await verify(`${head}.${claims}`)).toBe(true);
    // The check above can fail: a changed claim does not verify.
    expect(await verify(`${head}.${claims}x`)).toBe(false);
  });

  it("keeps exp within the 24 hours RFC 8292 allows", async () => {
    const vapid = await generateVapidKeys("mailto:ops@example.com");
    const now = Date.now();
    const header = await vapidAuthorization("https://fcm.googleapis.com/fcm/send/x", vapid, now);
    const exp = decodeJson(header.split(".")[1]!).exp as number;
    expect(exp * 1000).toBeGreaterThan(now);
    expect(exp * 1000).toBeLessThanOrEqual(now + 24 * 3600_000);
  });

  it("refuses a private key that is not 32 bytes", async () => {
    const vapid = await generateVapidKeys("mailto:ops@example.com");
    await expect(vapidAuthorization("https://p.example/x", { ...vapid, privateKey: "AAAA" })).rejects.toThrow(/32 bytes/);
  });
});

import { describe, expect, it } from "vitest";
import { AppError } from "../src/errors";
import { checkPushEndpoint } from "../src/push/endpoint";
import { pushPayload } from "../src/push/payload";
import { parseRetryAfter } from "../src/push/send";

function refusal(url: string, allowInsecure: boolean): string | undefined {
  try {
    checkPushEndpoint(url, allowInsecure);
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : "not an AppError";
  }
}

describe("checkPushEndpoint", () => {
  it("accepts https: endpoints of public host names either way", () => {
    expect(refusal("https://fcm.googleapis.com/fcm/send/abc", false)).toBeUndefined();
    expect(refusal("https://updates.push.services.mozilla.com/wpush/v2/x", true)).toBeUndefined();
    expect(refusal("https://web.push.apple.com:443/x", false)).toBeUndefined();
  });

  it("refuses plain http, even to localhost, unless insecure endpoints are allowed", () => {
    expect(refusal("http://localhost:8090/notify/x", false)).toBe("bad_request");
    expect(refusal("http://127.0.0.1:8090/notify/x", false)).toBe("bad_request");
    expect(refusal("http://localhost:8090/notify/x", true)).toBeUndefined();
    expect(refusal("http://127.0.0.1:8090/notify/x", true)).toBeUndefined();
  });

  it("allows only localhost and 127.0.0.1 over plain http", () => {
    expect(refusal("http://push.example.com/x", true)).toBe("bad_request");
    expect(refusal("http://10.0.0.1/x", true)).toBe("bad_request");
    expect(refusal("http://localhost.example.com/x", true)).toBe("bad_request");
    expect(refusal("http://127.0.0.1.nip.io/x", true)).toBe("bad_request");
  });

  it("refuses https to IP literals, v4 in any spelling and v6, with or without insecure endpoints", () => {
    const literals = [
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.1/x",
      "https://10.0.0.1:8443/x",
      "https://8.8.8.8/x",
      "https://0x7f000001/x",
      "https://2130706433/x",
      "https://127.1/x",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://[::ffff:169.254.169.254]/x",
      "https://[2001:4860:4860::8888]/x",
    ];
    for (const url of literals) {
      expect(refusal(url, false), url).toBe("bad_request");
      expect(refusal(url, true), url).toBe("bad_request");
    }
  });

  it("refuses local, single-label and internal names", () => {
    const names = [
      "https://localhost/x",
      "https://localhost./x",
      "https://LOCALHOST/x",
      "https://push/x",
      "https://metadata/x",
      "https://printer.local/x",
      "https://db.internal/x",
      "https://metadata.google.internal/x",
      "https://a.localhost/x",
      "https://router.home.arpa/x",
    ];
    for (const url of names) {
      expect(refusal(url, false), url).toBe("bad_request");
      expect(refusal(url, true), url).toBe("bad_request");
    }
  });

  it("refuses a port other than the default and credentials in the URL", () => {
    expect(refusal("https://push.example.com:8443/x", false)).toBe("bad_request");
    expect(refusal("https://push.example.com:80/x", true)).toBe("bad_request");
    expect(refusal("https://user:pw@push.example.com/x", false)).toBe("bad_request");
  });

  it("refuses other schemes and non-URLs as bad_request", () => {
    for (const url of ["ftp://localhost/x", "ws://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)", "not a url", ""]) {
      expect(refusal(url, true), url).toBe("bad_request");
    }
  });
});

describe("pushPayload", () => {
  const message = { channelId: "c1", seq: 7, senderId: "u1", body: "hello" };

  it("carries type, channelId, seq, senderId and the body as preview", () => {
    expect(pushPayload(message)).toEqual({ type: "message", channelId: "c1", seq: 7, senderId: "u1", preview: "hello" });
  });

  it("cuts the preview to the first 100 characters without splitting an emoji", () => {
    expect(pushPayload({ ...message, body: "a".repeat(250) }).preview).toBe("a".repeat(100));
    const emoji = pushPayload({ ...message, body: "😀".repeat(150) }).preview;
    expect(Array.from(emoji)).toHaveLength(100);
    expect(emoji).toBe("😀".repeat(100));
  });

  it("stays within 4 KiB of JSON for the longest, most escaped body", () => {
    const worst = pushPayload({ channelId: "c".repeat(64), seq: 2 ** 53 - 1, senderId: "u".repeat(64), body: "\u0001".repeat(4000) });
    expect(new TextEncoder().encode(JSON.stringify(worst)).length).toBeLessThanOrEqual(4096);
  });
});

describe("parseRetryAfter", () => {
  it("reads delay-seconds and HTTP dates", () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

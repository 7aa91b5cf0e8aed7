import { describe, expect, it } from "vitest";
import { users } from "./helpers/channels";
import { api, uniqueHandle } from "./helpers/http";

// Names other members see: no control, format or bidi-override characters, so nobody can pose as someone else.
const POSING = ["\u202eecilA", "Al\u200bice", "Alice\u2066", "Ali\u0007ce", "Alice\u2028", "\ufeffAlice", "Al\u00adice"];

describe("display names and group titles", () => {
  it("refuses a display name with control, format or bidi-override characters at signup and on PATCH /me, and changes nothing", async () => {
    for (const displayName of POSING) {
      const signup = await api("POST", "/auth/signup", { json: { handle: uniqueHandle("nm"), password: "correct horse battery", displayName } });
      expect(signup.status, JSON.stringify(displayName)).toBe(400);
      expect(signup.body.error.message).toMatch(/control, format or bidi-override/);
    }
    const [a] = await users(1, "nmp");
    const refused = await api("PATCH", "/me", { token: a!.token, json: { displayName: POSING[0] } });
    expect(refused.status).toBe(400);
    expect((await api("GET", "/me", { token: a!.token })).body.user.displayName).toBe(a!.user.displayName);
  });

  it("refuses such a group title", async () => {
    const [a, b] = await users(2, "nmt");
    const res = await api("POST", "/channels", { token: a!.token, json: { title: "\u202etitle", members: [b!.handle] } });
    expect(res.status).toBe(400);
  });

  it("keeps names that need joiners, accents and other scripts", async () => {
    for (const displayName of ["👨‍👩‍👧 family", "Zoë", "می‌خواهم", "李小龍", "O'Brien-Smith"]) {
      const res = await api("POST", "/auth/signup", { json: { handle: uniqueHandle("nmk"), password: "correct horse battery", displayName } });
      expect(res.status, displayName).toBe(201);
      expect(res.body.user.displayName).toBe(displayName);
    }
  });
});

import { describe, expect, it } from "vitest";
import { api, signup } from "./helpers/http";

const CREDENTIAL_KEYS = ["password", "passwordHash", "password_hash", "salt", "token"];

function expectNoCredentials(user: Record<string, unknown>) {
  expect(Object.keys(user).sort()).toEqual(["createdAt", "displayName", "handle", "id"]);
  for (const key of CREDENTIAL_KEYS) expect(user).not.toHaveProperty(key);
}

describe("profiles", () => {
  it("PATCH /me changes the display name and GET /users/:handle shows it", async () => {
    const u = await signup("pf");
    const patched = await api("PATCH", "/me", { token: u.token, json: { displayName: "  New Name " } });
    expect(patched.status).toBe(200);
    expect(patched.body.user.displayName).toBe("New Name");
    const other = await signup("pv");
    const seen = await api("GET", `/users/${u.handle.toUpperCase()}`, { token: other.token });
    expect(seen.status).toBe(200);
    expect(seen.body.user.displayName).toBe("New Name");
    expectNoCredentials(seen.body.user);
  });

  it("PATCH /me refuses an invalid display name and changes nothing", async () => {
    const u = await signup("pi", "Kept");
    expect((await api("PATCH", "/me", { token: u.token, json: { displayName: "" } })).status).toBe(400);
    expect((await api("PATCH", "/me", { token: u.token, json: { displayName: 42 } })).status).toBe(400);
    expect((await api("GET", "/me", { token: u.token })).body.user.displayName).toBe("Kept");
  });

  it("GET /users/:handle answers 404 for an unknown handle and 400 for an invalid one", async () => {
    const u = await signup("nf");
    const missing = await api("GET", "/users/nobody_here_at_all", { token: u.token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
    expect((await api("GET", "/users/a!", { token: u.token })).status).toBe(400);
  });

  it("GET /users?q= finds users by handle prefix, at most 20, without credentials", async () => {
    const prefix = `zq${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 22; i++) {
      const handle = `${prefix}_${i}`;
      const res = await api("POST", "/auth/signup", { json: { handle, password: "password123", displayName: `P ${i}` } });
      made.push(res.body);
    }
    const res = await api("GET", `/users?q=${prefix.toUpperCase()}`, { token: made[0].token });
    expect(res.status).toBe(200);
    expect(res.body.users).toHaveLength(20);
    for (const user of res.body.users) {
      expect(user.handle.startsWith(prefix)).toBe(true);
      // Search answers who someone is and nothing more: not even when they signed up.
      expect(Object.keys(user).sort()).toEqual(["displayName", "handle", "id"]);
    }
    const none = await api("GET", `/users?q=${prefix}_%25`, { token: made[0].token });
    expect(none.body.users).toHaveLength(0);
  });

  it("GET /users?q= answers long, escaped or non-handle prefixes with an empty list, not a 500", async () => {
    const u = await signup("lq");
    for (const q of ["_".repeat(32), "%C3%A9".repeat(30), "%F0%9F%99%82".repeat(16), "%25".repeat(32), "a%5C", "\\x"]) {
      const res = await api("GET", `/users?q=${q}`, { token: u.token });
      expect(res.status, q).toBe(200);
      expect(res.body.users, q).toEqual([]);
    }
    const self = await api("GET", `/users?q=${u.handle}`, { token: u.token });
    expect(self.body.users.map((x: any) => x.handle)).toContain(u.handle);
  });

  it("every profile route requires a session", async () => {
    expect((await api("GET", "/users?q=a")).status).toBe(401);
    expect((await api("GET", "/users/someone")).status).toBe(401);
    expect((await api("PATCH", "/me", { json: { displayName: "x" } })).status).toBe(401);
  });
});

describe("routing", () => {
  it("answers unknown API routes with 404 in the error shape", async () => {
    const res = await api("GET", "/no/such/route");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });
});

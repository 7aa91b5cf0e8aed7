import { describe, expect, it } from "vitest";
import { api, signup, uniqueHandle } from "./helpers/http";

const password = "a good password";

describe("signup", () => {
  it("creates a user and returns a working token", async () => {
    const handle = uniqueHandle("al");
    const res = await api("POST", "/auth/signup", { json: { handle, password, displayName: "Alice" } });
    expect(res.status).toBe(201);
    expect(res.body.user).toEqual({ id: expect.any(String), handle, displayName: "Alice", createdAt: expect.any(Number) });
    expect(res.body.token.length).toBeGreaterThanOrEqual(22);
    const me = await api("GET", "/me", { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(res.body.user);
  });

  it("folds the handle to lower case and refuses a case variant with 409", async () => {
    const handle = uniqueHandle("bo");
    const first = await api("POST", "/auth/signup", { json: { handle: handle.toUpperCase(), password, displayName: "Bob" } });
    expect(first.status).toBe(201);
    expect(first.body.user.handle).toBe(handle);
    const again = await api("POST", "/auth/signup", { json: { handle, password, displayName: "Bob 2" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
  });

  it.each([
    ["short handle", { handle: "ab", password, displayName: "x" }],
    ["long handle", { handle: "a".repeat(33), password, displayName: "x" }],
    ["handle with a dash", { handle: "a-b-c", password, displayName: "x" }],
    ["handle not a string", { handle: 12345, password, displayName: "x" }],
    ["short password", { handle: "valid_handle", password: "1234567", displayName: "x" }],
    ["long password", { handle: "valid_handle", password: "p".repeat(257), displayName: "x" }],
    ["empty display name", { handle: "valid_handle", password, displayName: "   " }],
    ["long display name", { handle: "valid_handle", password, displayName: "d".repeat(65) }],
    ["missing display name", { handle: "valid_handle", password }],
  ])("refuses a %s with 400 and creates nothing", async (_name, body) => {
    const res = await api("POST", "/auth/signup", { json: body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
    expect(res.body.error.message).toEqual(expect.any(String));
    const viewer = await signup("vw");
    expect((await api("GET", "/users/valid_handle", { token: viewer.token })).status).toBe(404);
  });

  it("refuses malformed JSON with 400 in the error shape", async () => {
    const res = await api("POST", "/auth/signup", { raw: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("bad_request");
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const res = await api("POST", "/auth/signup", { json: { handle: uniqueHandle(), password, displayName: "x".repeat(70_000) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("payload_too_large");
  });
});

describe("login", () => {
  it("logs in with the right password, in any case of the handle", async () => {
    const u = await signup("lg");
    const res = await api("POST", "/auth/login", { json: { handle: u.handle.toUpperCase(), password: u.password } });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(u.user.id);
    expect((await api("GET", "/me", { token: res.body.token })).status).toBe(200);
  });

  it("gives the same 401 for a wrong password and an unknown handle", async () => {
    const u = await signup("wp");
    const wrong = await api("POST", "/auth/login", { json: { handle: u.handle, password: "wrong password" } });
    const unknown = await api("POST", "/auth/login", { json: { handle: uniqueHandle("nobody"), password: "wrong password" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  it("refuses with 429 and Retry-After after 5 failures, even with the right password", async () => {
    const u = await signup("rl");
    for (let i = 0; i < 5; i++) {
      expect((await api("POST", "/auth/login", { json: { handle: u.handle, password: "wrong password" } })).status).toBe(401);
    }
    const locked = await api("POST", "/auth/login", { json: { handle: u.handle, password: u.password } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe("rate_limited");
    expect(locked.body.error.retryAfterMs).toBeGreaterThan(0);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

describe("sessions", () => {
  it("logout kills the token at once", async () => {
    const u = await signup("lo");
    expect((await api("POST", "/auth/logout", { token: u.token })).status).toBe(204);
    const me = await api("GET", "/me", { token: u.token });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("unauthorized");
  });

  it("refuses a missing, forged or malformed token with 401", async () => {
    expect((await api("GET", "/me")).status).toBe(401);
    expect((await api("GET", "/me", { token: "A".repeat(43) })).status).toBe(401);
    expect((await api("GET", "/me", { token: "not a token!" })).status).toBe(401);
  });

  it("keeps other sessions of the same user alive after one logs out", async () => {
    const u = await signup("ms");
    const second = await api("POST", "/auth/login", { json: { handle: u.handle, password: u.password } });
    await api("POST", "/auth/logout", { token: u.token });
    expect((await api("GET", "/me", { token: second.body.token })).status).toBe(200);
  });
});

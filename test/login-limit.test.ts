import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openDb } from "../src/accounts/db";
import { loginDelayMs } from "../src/accounts/login-limit";
import { loginFailures, sessions } from "../src/accounts/schema";
import { clientAddress } from "../src/http/client-address";
import { readConfig } from "../src/config";
import worker from "../src/worker";
import { api, signup } from "./helpers/http";

const config = readConfig({});
const from = (ip: string) => ({ "CF-Connecting-IP": ip });
const login = (handle: string, password: string, ip: string) => api("POST", "/auth/login", { json: { handle, password }, headers: from(ip) });

describe("login lockout per handle and client address", () => {
  it("locks out the address that fails, never the owner at another address", async () => {
    const owner = await signup("lk");
    for (let i = 0; i < config.loginMaxFailures; i++) expect((await login(owner.handle, "wrong password", "203.0.113.5")).status).toBe(401);
    const locked = await login(owner.handle, owner.password, "203.0.113.5");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect((await login(owner.handle, owner.password, "198.51.100.7")).status).toBe(200);
  });

  it("grows the delay with each failure past the free ones instead of one long lock", async () => {
    const u = await signup("lkg");
    for (let i = 0; i < config.loginMaxFailures; i++) await login(u.handle, "wrong password", "203.0.113.6");
    const first = await login(u.handle, "wrong password", "203.0.113.6");
    expect(first.status).toBe(429);
    expect(first.body.error.retryAfterMs).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, first.body.error.retryAfterMs + 100));
    expect((await login(u.handle, "wrong password", "203.0.113.6")).status).toBe(401);
    const second = await login(u.handle, u.password, "203.0.113.6");
    expect(second.status).toBe(429);
    expect(second.body.error.retryAfterMs).toBeGreaterThan(1000);
    expect(second.body.error.retryAfterMs).toBeLessThanOrEqual(2000);
  });

  it("doubles the delay per failure from 1 s, capped at LOGIN_LOCKOUT_MS", () => {
    const n = config.loginMaxFailures;
    expect([n - 1, n, n + 1, n + 2, n + 3].map((f) => loginDelayMs(f, config))).toEqual([0, 1000, 2000, 4000, 8000]);
    expect(loginDelayMs(n + 40, config)).toBe(config.loginLockoutMs);
  });

  it("counts an IPv6 address as its /64", () => {
    const addr = (ip: string) => clientAddress(new Request("http://x/", { headers: from(ip) }));
    expect(addr("2001:db8:1:2:aaaa::1")).toBe(addr("2001:0db8:0001:0002:ffff:1:2:3"));
    expect(addr("2001:db8:1:2::1")).not.toBe(addr("2001:db8:1:3::1"));
    expect(addr("192.0.2.1")).toBe("192.0.2.1");
    expect(clientAddress(new Request("http://x/"))).toBe("");
  });
});

describe("the Cron Trigger", () => {
  it("deletes expired sessions and stale login failures, and keeps live ones", async () => {
    const u = await signup("cron");
    const db = openDb(env.DB);
    const now = Date.now();
    await db.insert(sessions).values({ id: `expired-${now}`, userId: u.user.id, createdAt: now - 10_000, expiresAt: now - 1 });
    await db.insert(loginFailures).values([
      { handle: `stale${now}`, address: "", failures: 9, lastFailureAt: now - config.loginLockoutMs - 1 },
      { handle: `fresh${now}`, address: "", failures: 9, lastFailureAt: now },
    ]);
    await worker.scheduled({ cron: "17 * * * *", scheduledTime: now, noRetry() {} } as ScheduledController, env);
    const ids = (await db.select({ id: sessions.id }).from(sessions).all()).map((r) => r.id);
    expect(ids).not.toContain(`expired-${now}`);
    expect((await api("GET", "/me", { token: u.token })).status).toBe(200);
    const handles = (await db.select({ handle: loginFailures.handle }).from(loginFailures).all()).map((r) => r.handle);
    expect(handles).not.toContain(`stale${now}`);
    expect(handles).toContain(`fresh${now}`);
  });
});

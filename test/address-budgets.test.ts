import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config";
import { app } from "../src/worker";
import { users } from "./helpers/channels";
import { api, BASE, uniqueHandle } from "./helpers/http";

// Small per-address budgets for these requests only: the real app and bindings, two extra variables.
const vars = { ...env, SIGNUP_ADDRESS_RATE_LIMIT: "3", GROUP_CREATE_ADDRESS_RATE_LIMIT: "2" };

async function call(method: string, path: string, address: string, json: unknown, token?: string) {
  const headers: Record<string, string> = { "Content-Type": "application/json", "CF-Connecting-IP": address };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await app.request(`${BASE}/api${path}`, { method, headers, body: JSON.stringify(json) }, vars);
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

const signup = (address: string) => call("POST", "/auth/signup", address, { handle: uniqueHandle("ip"), password: "correct horse battery", displayName: "Ip" });

describe("budgets per client address", () => {
  it("answers signups past SIGNUP_ADDRESS_RATE_LIMIT from one address with 429 and Retry-After, and creates no account", async () => {
    const address = "203.0.113.7";
    for (let i = 0; i < 3; i++) expect((await signup(address)).status).toBe(201);
    const handle = uniqueHandle("ipx");
    const refused = await call("POST", "/auth/signup", address, { handle, password: "correct horse battery", displayName: "Ip" });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("rate_limited");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await api("POST", "/auth/login", { json: { handle, password: "correct horse battery" } })).status).toBe(401);
    // Another address, and one in the same IPv6 /64 counted as one.
    expect((await signup("203.0.113.8")).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await signup(`2001:db8:1:2::${i + 1}`)).status).toBe(201);
    expect((await signup("2001:db8:1:2:ffff::9")).status).toBe(429);
  });

  it("does not budget loopback or missing addresses (local runs)", async () => {
    for (let i = 0; i < 4; i++) expect((await signup("127.0.0.1")).status).toBe(201);
  });

  it("answers group creation past GROUP_CREATE_ADDRESS_RATE_LIMIT from one address with 429, whoever asks", async () => {
    const [a, b] = await users(2, "ipg");
    const address = "198.51.100.20";
    expect((await call("POST", "/channels", address, { title: "one", members: [] }, a!.token)).status).toBe(201);
    expect((await call("POST", "/channels", address, { title: "two", members: [] }, b!.token)).status).toBe(201);
    const third = await call("POST", "/channels", address, { title: "three", members: [] }, a!.token);
    expect(third.status).toBe(429);
    expect((await api("GET", "/channels", { token: a!.token })).body.channels.map((s: any) => s.channel.title)).not.toContain("three");
    expect((await call("POST", "/channels", "198.51.100.21", { title: "elsewhere", members: [] }, b!.token)).status).toBe(201);
  });
});

describe("KeyPackage claims", () => {
  it("answers claims past KEY_PACKAGE_CLAIM_RATE_LIMIT per claimer with 429", async () => {
    const [a, b, c] = await users(3, "kpc");
    const limit = readConfig({}).keyPackageClaimBudget.limit;
    const claim = () => api("POST", "/e2ee/key-packages/claim", { token: a!.token, json: { handle: b!.handle } });
    // The bucket refills one claim per second while the burst runs, so a few more than the limit pass.
    let passed = 0;
    let refused = await claim();
    while (refused.status === 200 && passed < limit + 20) {
      passed++;
      refused = await claim();
    }
    expect(refused.status).toBe(429);
    expect(passed).toBeGreaterThanOrEqual(limit);
    expect(refused.headers.get("Retry-After")).not.toBeNull();
    // The budget is the claimer's: someone else may still claim.
    expect((await api("POST", "/e2ee/key-packages/claim", { token: c!.token, json: { handle: b!.handle } })).status).toBe(200);
  }, 60_000);
});

describe("the API document", () => {
  it("lists 429 rate_limited for every budgeted route", async () => {
    const doc = (await api("GET", "/openapi.json")).body;
    const budgeted = [
      ["post", "/api/auth/signup"], ["post", "/api/auth/login"], ["patch", "/api/me"], ["post", "/api/dms"], ["post", "/api/channels"],
      ["post", "/api/channels/{id}/members"], ["delete", "/api/channels/{id}/members/{handle}"], ["get", "/api/channels/{id}/messages"],
      ["post", "/api/channels/{id}/messages"], ["patch", "/api/channels/{id}/messages/{seq}"], ["delete", "/api/channels/{id}/messages/{seq}"],
      ["post", "/api/channels/{id}/messages/{seq}/reactions"], ["get", "/api/channels/{id}/changes"], ["get", "/api/channels/{id}/search"],
      ["post", "/api/channels/{id}/read"], ["post", "/api/push/subscriptions"], ["post", "/api/e2ee/key-packages/claim"],
      ["post", "/api/blocks"], ["delete", "/api/blocks/{handle}"], ["get", "/api/channels/{id}/socket"], ["get", "/api/inbox/socket"],
    ];
    for (const [method, path] of budgeted) {
      const op = doc.paths[path!]?.[method!];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(Object.keys(op.responses), `${method} ${path}`).toContain("429");
    }
  });
});

// `npm start` on a free port: the service answers over real HTTP, keeps its
// data across a crash and restart, and stops without leaving processes behind.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { groupMembers, startService } from "./helpers/service.mjs";

const password = "correct horse battery";

async function call(service, method, path, { token, json } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text };
}

describe("npm start", { timeout: 300_000 }, () => {
  let service;
  const handle = `start_${Date.now().toString(36)}`;

  before(async () => {
    // LOGIN_MAX_FAILURES shows that --var reaches the Worker through npm start.
    service = await startService({ vars: { LOGIN_MAX_FAILURES: "2" } });
  });
  after(async () => {
    await service?.stop();
  });

  test("serves the web app's HTML at /", async () => {
    const res = await call(service, "GET", "/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(res.body, /<html|<!doctype html/i);
  });

  test("signs up, logs in and answers /api/me over real HTTP", async () => {
    const signup = await call(service, "POST", "/api/auth/signup", { json: { handle, password, displayName: "Start Test" } });
    assert.equal(signup.status, 201, JSON.stringify(signup.body));
    assert.equal(signup.body.user.handle, handle);

    const login = await call(service, "POST", "/api/auth/login", { json: { handle, password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(typeof login.body.token, "string");

    const me = await call(service, "GET", "/api/me", { token: login.body.token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user, signup.body.user);

    const anonymous = await call(service, "GET", "/api/me");
    assert.equal(anonymous.status, 401);
  });

  test("passes --var through to the Worker (login lockout after 2 failures)", async () => {
    const victim = `${handle}_v`;
    await call(service, "POST", "/api/auth/signup", { json: { handle: victim, password, displayName: "V" } });
    for (let i = 0; i < 2; i++) {
      const wrong = await call(service, "POST", "/api/auth/login", { json: { handle: victim, password: "wrong password" } });
      assert.equal(wrong.status, 401);
    }
    const locked = await call(service, "POST", "/api/auth/login", { json: { handle: victim, password } });
    assert.equal(locked.status, 429);
    assert.equal(locked.body.error.code, "rate_limited");
    assert.ok(Number(locked.headers.get("retry-after")) > 0);
  });

  test("keeps accounts across a SIGKILL and a restart on the same state folder", async () => {
    await service.kill("SIGKILL");
    assert.deepEqual(groupMembers(service.pid), []);
    service = await service.restart();

    const login = await call(service, "POST", "/api/auth/login", { json: { handle, password } });
    assert.equal(login.status, 200, JSON.stringify(login.body));
  });

  test("stops on SIGTERM: the port closes and no process of the group is left", async () => {
    const { pid, baseUrl } = service;
    await service.stop();
    service = undefined;
    assert.deepEqual(groupMembers(pid), []);
    await assert.rejects(fetch(`${baseUrl}/api/me`, { signal: AbortSignal.timeout(2_000) }));
  });
});

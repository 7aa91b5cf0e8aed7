import { env, listDurableObjectIds, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../src/worker";
import { readJurisdiction } from "../src/config";
import { hintFromLocation } from "../src/placement/location-hint";
import { hintOf, idKey, mintId, verifyId } from "../src/placement/signed-id";
import { dmChannelId } from "../src/channel-room/channel-id";
import { dm, group, post, users } from "./helpers/channels";
import { api, BASE } from "./helpers/http";

const PARIS = { continent: "EU", country: "FR", longitude: "2.35" };
const TOKYO = { continent: "AS", country: "JP", longitude: "139.69" };

interface Call {
  op: "jurisdiction" | "idFromName" | "get";
  jurisdiction?: string;
  name?: string;
  locationHint?: string;
}

/**
 * A real namespace that records how it is called. The local runtime accepts
 * and ignores location hints and jurisdictions, so the only thing a test here
 * can check is that they reach the namespace; `jurisdiction()` hands back the
 * same (recording) namespace, as placement has no local effect to observe.
 */
function recording<T extends Rpc.DurableObjectBranded | undefined>(ns: DurableObjectNamespace<T>, calls: Call[], jurisdiction?: string): DurableObjectNamespace<T> {
  return new Proxy(ns, {
    get(target, prop) {
      if (prop === "jurisdiction") return (j: string) => (calls.push({ op: "jurisdiction", jurisdiction: j }), recording(target, calls, j));
      if (prop === "idFromName") return (name: string) => (calls.push({ op: "idFromName", name, jurisdiction }), target.idFromName(name));
      if (prop === "get")
        return (id: DurableObjectId, opts?: DurableObjectNamespaceGetDurableObjectOptions) => (
          calls.push({ op: "get", jurisdiction, locationHint: opts?.locationHint }), target.get(id, opts)
        );
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Calls the Worker in this isolate with its bindings swapped for recording ones, as a caller at `cf`. */
async function callAs(cf: object, vars: Partial<Env>, calls: Call[], method: string, path: string, token?: string, json?: unknown) {
  const placedEnv = { ...env, ...vars, CHANNEL_ROOM: recording(env.CHANNEL_ROOM, calls), USER_HUB: recording(env.USER_HUB, calls) };
  const headers: Record<string, string> = json === undefined ? {} : { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const req = new Request(`${BASE}/api${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json), cf } as RequestInit);
  const res = await app.fetch(req, placedEnv, { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext);
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

describe("location hints", () => {
  it("picks the region nearest the caller from request.cf", () => {
    expect(hintFromLocation({ continent: "NA", longitude: "-122.4" })).toBe("wnam");
    expect(hintFromLocation({ continent: "NA", longitude: "-74.0" })).toBe("enam");
    expect(hintFromLocation({ continent: "SA", longitude: "-46.6" })).toBe("sam");
    expect(hintFromLocation(PARIS)).toBe("weur");
    expect(hintFromLocation({ continent: "EU", longitude: "21.0" })).toBe("eeur");
    expect(hintFromLocation(TOKYO)).toBe("apac");
    expect(hintFromLocation({ continent: "AS", country: "AE" })).toBe("me");
    expect(hintFromLocation({ continent: "OC" })).toBe("oc");
    expect(hintFromLocation({ continent: "AF" })).toBe("afr");
    expect(hintFromLocation(undefined)).toBeUndefined();
    expect(hintFromLocation({ continent: "AN" })).toBeUndefined();
  });
});

describe("signed ids", () => {
  it("accepts an id the service minted and refuses one altered in any character, or of another kind", async () => {
    const key = await idKey(env);
    const id = await mintId(key, "g", "weur");
    expect(id).toMatch(/^g_weur_/);
    expect(hintOf(id)).toBe("weur");
    expect(await verifyId(key, id, ["g", "d"])).toBe(true);
    expect(await verifyId(key, id, ["u"])).toBe(false);
    for (let i = 0; i < id.length; i++) {
      const c = id[i] === "A" ? "B" : "A";
      expect(await verifyId(key, id.slice(0, i) + c + id.slice(i + 1), ["g", "d"])).toBe(false);
    }
    const otherKey = await idKey({ ID_SIGNING_KEY: "another deployment" });
    expect(await verifyId(otherKey, id, ["g", "d"])).toBe(false);
  });

  it("names one DM per pair whichever member asks, placed in the home region of the member whose id sorts first", async () => {
    const key = await idKey(env);
    const a = await mintId(key, "u", "apac");
    const b = await mintId(key, "u", "weur");
    const id = await dmChannelId(key, a, b);
    expect(await dmChannelId(key, b, a)).toBe(id);
    expect(hintOf(id)).toBe(hintOf([a, b].sort()[0]!));
    expect(await verifyId(key, id, ["d"])).toBe(true);
  });

  it("refuses an unknown JURISDICTION instead of ignoring it", () => {
    expect(readJurisdiction({})).toBeUndefined();
    expect(readJurisdiction({ JURISDICTION: "eu" })).toBe("eu");
    expect(() => readJurisdiction({ JURISDICTION: "mars" })).toThrow(/JURISDICTION/);
  });
});

describe("placement reaches the namespace", () => {
  it("creates a user's hub and a group near their creators, in the configured jurisdiction, and passes the same hint on every later get", async () => {
    const calls: Call[] = [];
    const eu = { JURISDICTION: "eu" };
    const signup = (handle: string, cf: object) => callAs(cf, eu, calls, "POST", "/auth/signup", undefined, { handle, password: "correct horse battery", displayName: handle });
    const alice = await signup(`paris_${Date.now().toString(36)}`, PARIS);
    const bob = await signup(`tokyo_${Date.now().toString(36)}`, TOKYO);
    expect(alice.status).toBe(201);
    expect(alice.body.user.id).toMatch(/^u_weur_/);
    expect(bob.body.user.id).toMatch(/^u_apac_/);

    const created = await callAs(TOKYO, eu, calls, "POST", "/channels", bob.body.token, { title: "placed", members: [alice.body.user.handle] });
    expect(created.status).toBe(201);
    const channelId: string = created.body.channel.id;
    expect(channelId).toMatch(/^g_apac_/);

    calls.length = 0;
    expect((await callAs(PARIS, eu, calls, "GET", `/channels/${channelId}`, alice.body.token)).status).toBe(200);
    await callAs(PARIS, eu, calls, "GET", "/channels", alice.body.token);
    const gets = calls.filter((c) => c.op === "get");
    // The channel keeps its creator's region, whoever asks; Alice's hub is hers.
    expect(gets).toEqual([
      { op: "get", jurisdiction: "eu", locationHint: "apac" },
      { op: "get", jurisdiction: "eu", locationHint: "weur" },
    ]);
    expect(calls.filter((c) => c.op === "jurisdiction").every((c) => c.jurisdiction === "eu")).toBe(true);
  });

  it("passes no jurisdiction when JURISDICTION is empty", async () => {
    const calls: Call[] = [];
    const [a] = await users(1, "nojur");
    await callAs(PARIS, { JURISDICTION: "" }, calls, "GET", "/channels", a!.token);
    expect(calls.some((c) => c.op === "jurisdiction")).toBe(false);
    expect(calls.filter((c) => c.op === "get")).toHaveLength(1);
  });
});

describe("reads of ids that do not exist create nothing", () => {
  it("answers a made-up or tampered channel id with the 404 of a missing channel, without naming any object", async () => {
    const [a, b] = await users(2, "forge");
    const real = await group(a!, [b!]);
    const tampered = real.id.slice(0, -1) + (real.id.endsWith("A") ? "B" : "A");
    const madeUp = `g_weur_${"A".repeat(38)}`;
    const before = (await listDurableObjectIds(env.CHANNEL_ROOM)).length;
    const calls: Call[] = [];
    for (const id of [tampered, madeUp, "g_AAAAAAAAAAAAAAAAAAAAAA"]) {
      for (const path of [`/channels/${id}`, `/channels/${id}/messages?after=0`, `/channels/${id}/search?q=hi`]) {
        const res = await callAs(PARIS, {}, calls, "GET", path, a!.token);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      }
      expect((await callAs(PARIS, {}, calls, "POST", `/channels/${id}/messages`, a!.token, { clientMsgId: "x", body: "hi" })).status).toBe(404);
      const socket = await SELF.fetch(`${BASE}/api/channels/${id}/socket?device=d1`, { headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": `chat.v1, bearer.${a!.token}` } });
      expect(socket.status).toBe(404);
    }
    expect(calls.filter((c) => c.op !== "jurisdiction" && c.name !== a!.user.id)).toEqual([]);
    expect((await listDurableObjectIds(env.CHANNEL_ROOM)).length).toBe(before);
    // The real channel still answers.
    expect((await post(a!, real.id, "still here")).status).toBe(201);
  });

  it("answers presence of a made-up user id as a user never seen, without creating a hub", async () => {
    const [a, b] = await users(2, "ghost");
    await dm(a!, b!);
    const madeUp = [`u_weur_${"A".repeat(38)}`, "u_someone", b!.user.id.slice(0, -1) + (b!.user.id.endsWith("A") ? "B" : "A")];
    const before = (await listDurableObjectIds(env.USER_HUB)).length;
    const res = await api("GET", `/presence?ids=${madeUp.join(",")}`, { token: a!.token });
    expect(res.status).toBe(200);
    expect(res.body.presence).toEqual(madeUp.map((userId) => ({ userId, state: "offline", lastSeenAt: 0 })));
    expect((await listDurableObjectIds(env.USER_HUB)).length).toBe(before);
    // A real user is still asked.
    const real = await api("GET", `/presence?ids=${b!.user.id}`, { token: a!.token });
    expect(real.body.presence[0].userId).toBe(b!.user.id);
  });
});

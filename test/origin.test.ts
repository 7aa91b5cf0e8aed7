import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/config";
import { app } from "../src/worker";
import { dm, users } from "./helpers/channels";
import { BASE } from "./helpers/http";

// Cross-site WebSocket hijacking, defence in depth: sockets authenticate by
// bearer token only, and a browser upgrade from a foreign Origin is refused too.

function upgrade(path: string, token: string, origin: string | null, vars: Partial<Cloudflare.Env> = {}) {
  const headers: Record<string, string> = { Upgrade: "websocket", "Sec-WebSocket-Protocol": `chat.v1, bearer.${token}` };
  if (origin !== null) headers.Origin = origin;
  // The real app and bindings, with extra Worker variables for this request.
  return app.request(`${BASE}/api${path}?device=d1`, { headers }, { ...env, ...vars });
}

async function expectRefused(res: Response) {
  expect(res.status).toBe(403);
  expect(res.webSocket).toBeNull();
  expect(await res.json()).toEqual({ error: { code: "forbidden", message: expect.any(String) } });
}

function expectAccepted(res: Response) {
  expect(res.status).toBe(101);
  expect(res.webSocket).not.toBeNull();
  res.webSocket!.accept();
  res.webSocket!.close(1000, "done");
}

describe("socket upgrades and Origin", () => {
  it("refuses a channel or inbox socket opened from another site with 403", async () => {
    const [a, b] = await users(2, "org");
    const channel = await dm(a!, b!);
    await expectRefused(await upgrade(`/channels/${channel.id}/socket`, a!.token, "https://evil.example"));
    await expectRefused(await upgrade("/inbox/socket", a!.token, "https://evil.example"));
    // Same host, other scheme or port: another origin.
    await expectRefused(await upgrade("/inbox/socket", a!.token, "https://localhost"));
    await expectRefused(await upgrade("/inbox/socket", a!.token, "http://localhost:8080"));
    // Sandboxed frames and file: pages send the opaque origin "null".
    await expectRefused(await upgrade("/inbox/socket", a!.token, "null"));
  });

  it("accepts the request's own origin and clients that send no Origin", async () => {
    const [a, b] = await users(2, "orgok");
    const channel = await dm(a!, b!);
    expectAccepted(await upgrade(`/channels/${channel.id}/socket`, a!.token, new URL(BASE).origin));
    expectAccepted(await upgrade(`/channels/${channel.id}/socket`, a!.token, null));
    expectAccepted(await upgrade("/inbox/socket", a!.token, null));
  });

  it("accepts origins listed in ALLOWED_ORIGINS and still refuses the rest", async () => {
    const [a] = await users(1, "orglist");
    const vars = { ALLOWED_ORIGINS: " https://app.example.com/ , http://127.0.0.1:5173,not a url" };
    expectAccepted(await upgrade("/inbox/socket", a!.token, "https://app.example.com", vars));
    expectAccepted(await upgrade("/inbox/socket", a!.token, "http://127.0.0.1:5173", vars));
    await expectRefused(await upgrade("/inbox/socket", a!.token, "https://evil.example", vars));
    await expectRefused(await upgrade("/inbox/socket", a!.token, "https://app.example.com.evil.example", vars));
  });

  it("checks the token before the origin, so a foreign page learns nothing without one", async () => {
    const res = await upgrade("/inbox/socket", "forged-token-forged-token-forged", "https://evil.example");
    expect(res.status).toBe(401);
  });
});

describe("ALLOWED_ORIGINS", () => {
  it("is empty by default: only the request's own origin", () => {
    expect(readConfig({}).allowedOrigins).toEqual([]);
  });

  it("normalises entries to origins and drops what is not a URL", () => {
    expect(readConfig({ ALLOWED_ORIGINS: "https://A.example.com/path, ,http://x.test:80,junk,file:///etc" }).allowedOrigins).toEqual([
      "https://a.example.com",
      "http://x.test",
    ]);
  });
});

import { SELF } from "cloudflare:test";
import { BASE } from "./http";

export interface TestSocket {
  ws: WebSocket;
  /** Frames received and not yet taken by next(). */
  frames: any[];
  /** The next frame of `type` (skipping others), waiting up to `ms`. */
  next(type?: string, ms?: number): Promise<any>;
  /** Resolves with nothing if no frame of `type` arrives within `ms`; fails if one does. */
  none(type: string, ms?: number): Promise<void>;
  send(frame: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

/** Opens a socket through the Worker, authenticated like a browser: token in the subprotocol. */
export async function openSocket(path: string, token: string, device = "d1", headers: Record<string, string> = {}): Promise<TestSocket> {
  const res = await SELF.fetch(`${BASE}/api${path}${path.includes("?") ? "&" : "?"}device=${encodeURIComponent(device)}`, {
    headers: { ...headers, Upgrade: "websocket", "Sec-WebSocket-Protocol": `chat.v1, bearer.${token}` },
  });
  if (!res.webSocket) throw new Error(`no socket: ${res.status} ${await res.text()}`);
  if (res.headers.get("Sec-WebSocket-Protocol") !== "chat.v1") throw new Error("server did not answer chat.v1");
  return wrap(res.webSocket);
}

export function wrap(ws: WebSocket): TestSocket {
  ws.accept();
  const frames: any[] = [];
  const waiters: (() => void)[] = [];
  let resolveClosed!: (v: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (resolveClosed = r));
  ws.addEventListener("message", (e) => {
    frames.push(JSON.parse(e.data as string));
    waiters.splice(0).forEach((w) => w());
  });
  ws.addEventListener("close", (e) => {
    resolveClosed({ code: e.code, reason: e.reason });
    waiters.splice(0).forEach((w) => w());
  });
  const take = (type?: string) => {
    const i = frames.findIndex((f) => type === undefined || f.type === type);
    return i >= 0 ? frames.splice(i, 1)[0] : undefined;
  };
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
    close: () => ws.close(1000, "done"),
    async next(type, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const f = take(type);
        if (f !== undefined) return f;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${type ?? "frame"} within ${ms} ms; have ${JSON.stringify(frames.map((x) => x.type))}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          waiters.push(() => (clearTimeout(t), r()));
        });
      }
    },
    async none(type, ms = 300) {
      await new Promise((r) => setTimeout(r, ms));
      const f = frames.find((x) => x.type === type);
      if (f) throw new Error(`unexpected ${type}: ${JSON.stringify(f)}`);
    },
  };
}

/** Polls `fn` until it returns a truthy value or the time runs out (for eventually-consistent views). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

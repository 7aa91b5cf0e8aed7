import { SELF } from "cloudflare:test";
import type { User } from "../../src/protocol";
import { checkAnswer } from "./contract";

export const BASE = "http://localhost";

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the Worker like a client would, with an optional bearer token. */
export async function api<T = any>(method: string, path: string, opts: { token?: string; json?: unknown; raw?: BodyInit; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: BodyInit | undefined = opts.raw;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.raw !== undefined && !headers["Content-Type"]) headers["Content-Type"] = "application/json";
  const res = await SELF.fetch(`${BASE}/api${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: any = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  checkAnswer(method, `${BASE}/api${path}`, res.status, parsed);
  return { status: res.status, body: parsed, headers: res.headers };
}

let counter = 0;
/** A unique handle per call, so tests in one file never collide. */
export function uniqueHandle(prefix = "u"): string {
  counter++;
  return `${prefix}_${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e4)}`.slice(0, 32);
}

export interface TestUser {
  user: User;
  token: string;
  handle: string;
  password: string;
}

export async function signup(prefix = "u", displayName = "Test User"): Promise<TestUser> {
  const handle = uniqueHandle(prefix);
  const password = "correct horse battery";
  const res = await api("POST", "/auth/signup", { json: { handle, password, displayName } });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { user: res.body.user, token: res.body.token, handle, password };
}

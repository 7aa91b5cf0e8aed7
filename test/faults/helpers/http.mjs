// Plain HTTP calls to the real service, as any client would make them.

export const PASSWORD = "correct horse battery";

/** One request; a JSON answer is parsed. Network errors are thrown as they come. */
export async function call(baseUrl, method, path, { token, json, timeoutMs = 10_000 } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers,
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let body = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text for the failure message
  }
  return { status: res.status, body, headers: res.headers };
}

/** Fails loudly unless the answer has the expected status. */
export async function expectCall(baseUrl, method, path, opts, ...statuses) {
  const res = await call(baseUrl, method, path, opts);
  if (!statuses.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

let counter = 0;
export async function signup(baseUrl, prefix) {
  const handle = `${prefix}_${Date.now().toString(36)}_${++counter}`.slice(0, 32);
  const body = await expectCall(baseUrl, "POST", "/auth/signup", { json: { handle, password: PASSWORD, displayName: handle } }, 201);
  return { user: body.user, token: body.token, handle };
}

/** Every message of a channel, paged through with `after`. */
export async function fullHistory(baseUrl, token, channelId) {
  const out = [];
  for (;;) {
    const after = out.at(-1)?.seq ?? 0;
    const page = await expectCall(baseUrl, "GET", `/channels/${channelId}/messages?after=${after}&limit=200`, { token }, 200);
    out.push(...page.messages);
    if (!page.hasMore) return out;
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, or fails with the last reason. */
export async function eventually(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${typeof what === "function" ? what() : what} not reached in ${ms} ms${last ? `: ${last.message}` : ""}`);
    await sleep(100);
  }
}

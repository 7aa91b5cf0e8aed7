// Opening SDK connections (ChatClient per member, one channel socket each) and
// waiting until they hold the channel, with a bounded number in flight.
import { loadSdk } from "./sdk.mjs";

/** Resolves with the first event of `type`, or rejects after `ms`. */
export function once(emitter, type, ms, what = type) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`timed out after ${ms} ms waiting for ${what}`))), ms);
    const off = emitter.on(type, (payload) => (clearTimeout(timer), off(), resolve(payload)));
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the order. */
export async function pool(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * One member's channel socket through the SDK, open and synced.
 * `member` is { token, userId }; returns { client, conn, member }.
 */
export async function openChannel(baseUrl, member, channelId, options = {}) {
  const { ChatClient, WebSocket } = await loadSdk();
  const client = new ChatClient({
    baseUrl,
    token: member.token,
    WebSocket,
    // The bench never pings on the clock: an idle socket must stay idle.
    pingIntervalMs: 3_600_000,
    connectTimeoutMs: 30_000,
    channel: { initialHistory: options.initialHistory ?? 0, syncPageSize: options.pageSize ?? 200, ackTimeoutMs: 60_000 },
  });
  const conn = client.channel(channelId);
  const synced = once(conn.events, "synced", options.timeoutMs ?? 60_000, `channel ${channelId} to sync`);
  const closed = new Promise((_, reject) => conn.events.on("closed", ({ code, reason }) => reject(new Error(`socket closed ${code} ${reason}`))));
  await Promise.race([synced, closed]);
  return { client, conn, member };
}

export function closeAll(list) {
  for (const c of list) c?.client.close();
}

// Catch-up: a channel holds `messages` messages; a device whose cursor is 0
// connects and syncs page by page (the protocol's largest page) until it
// holds all of them.
import { performance } from "node:perf_hooks";
import { closeAll, once, openChannel } from "../lib/connect.mjs";
import { probe } from "../lib/load.mjs";
import { loadSdk } from "../lib/sdk.mjs";
import { summarize } from "../lib/stats.mjs";

const PAGE = 200; // the protocol's maximum sync page

/** Fills the channel through a socket, keeping `window` sends in flight. */
async function fill(target, writer, channelId, count, window = 200) {
  const conn = await openChannel(target.baseUrl, writer, channelId);
  try {
    const p = probe([conn]);
    for (let sent = 0; sent < count; ) {
      const batch = Math.min(window, count - sent);
      for (let i = 0; i < batch; i++) p.send(conn, `history ${sent + i}`);
      sent += batch;
      if (!(await p.settle(0, 60_000))) throw new Error(`filling: acks stopped at ${p.ack.length}/${sent}`);
    }
  } finally {
    closeAll([conn]);
  }
}

/** `readers`: one per repeat, so each catch-up is one device's alone (sync pages are budgeted per user per channel). */
export async function catchUp(target, [writer, ...readers], { messages, repeats, log }) {
  const channelId = await target.group([writer, ...readers.slice(0, repeats)], "catch-up");
  const t0 = performance.now();
  const bytes0 = target.storageBytes?.();
  await fill(target, writer, channelId, messages);
  const fillMs = Math.round(performance.now() - t0);
  // What the objects' SQLite databases grew by per message (rows, indexes, outbox, search index). Pages
  // still in the write-ahead log are not in the databases yet: the figure with them is an upper bound.
  let storageBytesPerMessage;
  if (bytes0) {
    const bytes = target.storageBytes();
    storageBytesPerMessage = {
      sqlite: Math.round((bytes.sqlite - bytes0.sqlite) / messages),
      withWal: Math.round((bytes.sqlite + bytes.wal - bytes0.sqlite - bytes0.wal) / messages),
    };
  }
  const storage = storageBytesPerMessage ? `, object storage ${storageBytesPerMessage.sqlite} to ${storageBytesPerMessage.withWal} bytes each` : "";
  log(`  ${target.name}: ${messages} messages stored in ${fillMs} ms${storage}`);
  const { ChannelConnection, ChannelSync, HttpClient, WebSocket } = await loadSdk();
  const times = [];
  const withConnect = [];
  for (let r = 0; r < repeats; r++) {
    const http = new HttpClient({ baseUrl: target.baseUrl, token: readers[r % readers.length].token });
    // This device holds nothing yet and wants everything: its first sync starts at 0.
    const held = new ChannelSync({ channelId, pages: http, initialHistory: Number.MAX_SAFE_INTEGER, syncPageSize: PAGE });
    const start = performance.now();
    const conn = new ChannelConnection({
      http,
      device: `catch-up-${r}`,
      channelId,
      sync: held,
      WebSocket,
      pingIntervalMs: 3_600_000,
    });
    try {
      const welcomed = once(conn.events, "welcome", 30_000).then(() => performance.now());
      const synced = await once(conn.events, "synced", 60_000);
      const end = performance.now();
      if (held.messages.value.length < messages || synced.cursor < messages) throw new Error(`caught up to ${synced.cursor}, holding ${held.messages.value.length} of ${messages}`);
      times.push(end - (await welcomed));
      withConnect.push(end - start);
    } finally {
      conn.close();
    }
  }
  return { messages, fillMs, storageBytesPerMessage, pageSize: PAGE, repeats, sync: summarize(times), withConnect: summarize(withConnect) };
}

// Inbox fan-out: every member of a group has an inbox socket; one member
// sends; the time until each other member's inbox shows the channel's new
// unread count (per member), and until all of them do (per message).
import { performance } from "node:perf_hooks";
import { closeAll, once, openChannel, pool } from "../lib/connect.mjs";
import { loadSdk } from "../lib/sdk.mjs";
import { summarize } from "../lib/stats.mjs";

async function openInbox(target, member) {
  const { ChatClient, WebSocket } = await loadSdk();
  const client = new ChatClient({ baseUrl: target.baseUrl, token: member.token, WebSocket, pingIntervalMs: 3_600_000 });
  const inbox = client.connectInbox();
  await once(inbox.events, "welcome", 60_000, "inbox welcome");
  return { client, inbox, member };
}

export async function inboxFanOut(target, members, channelId, { messages, gapMs }) {
  const inboxes = await pool(members.slice(1), 25, (m) => openInbox(target, m));
  const sender = await openChannel(target.baseUrl, members[0], channelId);
  const perMember = [];
  const toAll = [];
  let current = null;
  for (const { inbox } of inboxes) {
    inbox.events.on("summary", (s) => {
      if (!current || s.channel.id !== channelId || current.seen.has(inbox)) return;
      const ours = s.lastMessage?.clientMsgId === current.clientMsgId || (current.seq !== null && s.lastSeq >= current.seq);
      if (!ours || s.unread < 1) return;
      current.seen.add(inbox);
      perMember.push(performance.now() - current.t0);
      if (current.seen.size === inboxes.length) current.done(performance.now());
    });
  }
  sender.conn.events.on("messages", (ms) => {
    for (const m of ms) if (current && m.clientMsgId === current.clientMsgId) current.seq = m.seq;
  });
  try {
    for (let i = 0; i < messages; i++) {
      const all = new Promise((resolve) => {
        current = { t0: performance.now(), seq: null, seen: new Set(), done: resolve, clientMsgId: "" };
        current.clientMsgId = sender.conn.send(`inbox ${i}`).clientMsgId;
      });
      const doneAt = await Promise.race([all, new Promise((r) => setTimeout(() => r(null), 10_000))]);
      if (doneAt === null) throw new Error(`inbox fan-out ${i}: ${current.seen.size}/${inboxes.length} inboxes updated within 10 s`);
      toAll.push(doneAt - current.t0);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    return { members: members.length, messages, perMember: summarize(perMember), allMembers: summarize(toAll) };
  } finally {
    current = null;
    closeAll([sender, ...inboxes]);
  }
}

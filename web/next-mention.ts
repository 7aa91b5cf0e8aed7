import type { ChannelConnection, Message } from "../src/client";

/** Pages read looking for the next mention before giving up (100 messages each). */
const MAX_PAGES = 20;

/** What the walk reads: a ChannelConnection, or its sync engine. */
export type HeldHistory = Pick<ChannelConnection, "messages" | "loadGap">;

/**
 * The seq of the first message after `from` that mentions `meId`, or `until`
 * (a held one) when none comes before it, reading what is not held on the
 * way: the held history may start after `from` (a channel opens on its newest
 * page) or have holes (after a jump), and a mention in there must not be
 * skipped for a later one that happens to be held.
 */
export async function nextMentionAfter(conn: HeldHistory, from: number, until: number, meId: string, mentions: (m: Message) => boolean): Promise<number> {
  let after = from;
  for (let pages = 0; pages <= MAX_PAGES; pages++) {
    const bySeq = new Map(conn.messages.peek().map((m) => [m.seq, m]));
    // Walk the held run that starts right after `after`.
    let seq = after + 1;
    for (let m = bySeq.get(seq); m && seq < until; m = bySeq.get(++seq)) {
      if (m.senderId !== meId && !m.deleted && mentions(m)) return m.seq;
    }
    after = seq - 1;
    if (after >= until - 1 || pages === MAX_PAGES) return until;
    const held = conn.messages.peek().length;
    await conn.loadGap(after, 100);
    // Nothing new came (the rest was deleted or is not readable): stop rather than ask again.
    if (conn.messages.peek().length === held) return until;
  }
  return until;
}

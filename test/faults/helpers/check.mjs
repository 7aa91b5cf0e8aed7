// Jepsen-style "set" check of one channel: what clients sent and were acked,
// against what the server stores.

/**
 * @param {object[]} stored  the channel's full history, ascending by seq
 * @param {{ senderId: string, sent: Map<string,string>, acks: Map<string,object> }[]} writers
 *   per writer: every clientMsgId it sent (→ body) and the message of each ack
 * @returns counts and a list of problems (empty when the set holds)
 */
export function checkSet(stored, writers) {
  const problems = [];
  stored.forEach((m, i) => {
    if (m.seq !== i + 1) problems.push(`seq ${i + 1} expected, found ${m.seq}`);
    if (i > 0 && !(BigInt(m.id) > BigInt(stored[i - 1].id))) problems.push(`id of seq ${m.seq} does not increase`);
  });
  const byKey = new Map();
  for (const m of stored) {
    const key = `${m.senderId}\u0000${m.clientMsgId}`;
    byKey.set(key, [...(byKey.get(key) ?? []), m]);
  }
  let duplicated = 0;
  for (const copies of byKey.values()) duplicated += copies.length - 1;

  let sent = 0;
  let acked = 0;
  let lost = 0;
  let unacked = 0;
  let changed = 0;
  for (const w of writers) {
    for (const [clientMsgId, body] of w.sent) {
      sent++;
      const copies = byKey.get(`${w.senderId}\u0000${clientMsgId}`) ?? [];
      const ack = w.acks.get(clientMsgId);
      if (ack) acked++;
      else unacked++;
      if (copies.length === 0) {
        if (ack) {
          lost++;
          problems.push(`acked ${clientMsgId} (seq ${ack.seq}) is not stored`);
        }
        continue;
      }
      const [m] = copies;
      if (m.body !== body) problems.push(`${clientMsgId} stored with another body`);
      // Acked means durable: the stored copy is the very message the ack named.
      if (ack && (ack.seq !== m.seq || ack.id !== m.id)) {
        changed++;
        problems.push(`${clientMsgId} acked as seq ${ack.seq} id ${ack.id}, stored as seq ${m.seq} id ${m.id}`);
      }
    }
  }
  const known = new Set(writers.flatMap((w) => [...w.sent.keys()].map((id) => `${w.senderId}\u0000${id}`)));
  const strangers = [...byKey.keys()].filter((k) => !known.has(k)).length;
  if (strangers) problems.push(`${strangers} stored messages no writer sent`);
  if (duplicated) problems.push(`${duplicated} duplicated messages`);
  return { sent, acked, unacked, stored: stored.length, lost, duplicated, changed, problems };
}

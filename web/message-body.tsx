import type { User } from "../src/client";
import { MENTION_PATTERN } from "../src/protocol";

/**
 * A message body: text, with each `@handle` of a member in a span (the
 * user's own handle gets `mention-me`). Text goes in as text: a message can
 * never become HTML.
 */
export function MessageBody({ text, members, meId }: { text: string; members: readonly User[]; meId: string }) {
  if (!text.includes("@")) return <>{text}</>;
  const byHandle = new Map(members.map((m) => [m.handle.toLowerCase(), m]));
  const parts: preact.ComponentChildren[] = [];
  let at = 0;
  for (const match of text.matchAll(MENTION_PATTERN)) {
    const member = byHandle.get(match[1]!.toLowerCase());
    if (!member) continue;
    if (match.index > at) parts.push(text.slice(at, match.index));
    parts.push(
      <span class={`mention${member.id === meId ? " mention-me" : ""}`} title={member.displayName}>
        {match[0]}
      </span>,
    );
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}

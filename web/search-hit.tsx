import type { Message } from "../src/client";
import { dayLabel, formatTime } from "./format";
import { markedSnippet } from "./rich-text";

/**
 * One search hit, as this channel's search and the search of all show it: a
 * button with the sender, the time and the snippet with the query's words
 * marked; picking it shows the message in its conversation.
 */
export function SearchHit({ name, message: m, q, onPick }: { name: string; message: Message; q: string; onPick(): void }) {
  return (
    <li>
      <button type="button" class="search-hit" data-seq={m.seq} onClick={onPick}>
        <span class="hit-head">
          <strong>{name}</strong>
          <time class="muted" dateTime={new Date(m.createdAt).toISOString()}>{`${dayLabel(m.createdAt)}, ${formatTime(m.createdAt)}`}</time>
        </span>
        <span class="hit-text">{markedSnippet(m.body, q).map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : s.text))}</span>
      </button>
    </li>
  );
}

import type { User } from "../src/client";
import { renderMarkdown } from "./markdown";

/**
 * A message body: Markdown rendered and sanitised (see markdown.ts); the
 * member list marks @mentions, the user's own with `mention-me`.
 */
export function MessageBody({ text, members, meId }: { text: string; members: readonly User[]; meId: string }) {
  return <span class="msg-body rich" dangerouslySetInnerHTML={{ __html: renderMarkdown(text, members, meId) }} />;
}

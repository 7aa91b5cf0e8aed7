import { sql } from "drizzle-orm";
import { AppError } from "../errors";
import { MAX_SEARCH_TERMS } from "../protocol";
import type { Page } from "./messages";
import { toMessages } from "./message-view";
import { requireMember, requireMeta, type RoomDb } from "./room-db";
import { messages } from "./schema";
import { inList } from "./seq-list";

/** What the unicode61 tokenizer keeps as part of a word; anything else separates words. */
const WORD_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const CONTROL = /\p{Cc}/gu;

/**
 * A user's words as an FTS5 query that cannot be anything else: each word a
 * quoted string (quotes doubled), so operators, columns, parentheses and NEAR
 * are plain text; a trailing `*` outside the quotes is the only syntax kept
 * (prefix match). Words are ANDed. Null when nothing searchable remains.
 */
export function toFtsQuery(q: string): string | null {
  const terms: string[] = [];
  for (const raw of q.replace(CONTROL, " ").split(/\s+/)) {
    const prefix = raw.endsWith("*");
    const word = raw.replace(/\*+$/, "");
    if (!WORD_CHAR.test(word)) continue;
    terms.push(`"${word.replaceAll('"', '""')}"${prefix ? "*" : ""}`);
    if (terms.length >= MAX_SEARCH_TERMS) break;
  }
  return terms.length > 0 ? terms.join(" ") : null;
}

/** Should the quoting above ever let FTS5 refuse a query, the caller gets a 400, not a 500. */
function ftsQuery<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof Error && /fts5/i.test(err.message)) throw new AppError("bad_request", "cannot search for that");
    throw err;
  }
}

/**
 * Full-text search of this channel, best match first (bm25; newer first on a
 * tie), paged by offset. Deleted messages are not in the index, and are
 * filtered here as well.
 */
export function searchMessages(db: RoomDb, userId: string, q: string, limit: number, offset: number): Page {
  const meta = requireMeta(db);
  requireMember(db, userId);
  // The server holds only ciphertext: the app searches its own decrypted copy.
  if (meta.encrypted) throw new AppError("not_supported", "search is not available in an end-to-end encrypted channel");
  const match = toFtsQuery(q);
  if (match === null) return { messages: [], hasMore: false };
  const hits = ftsQuery(() =>
    db.all<{ seq: number }>(sql`
      select messages_fts.rowid as seq from messages_fts
      join ${messages} on ${messages.seq} = messages_fts.rowid
      where messages_fts match ${match} and ${messages.deleted} = 0
      order by messages_fts.rank, messages_fts.rowid desc
      limit ${limit + 1} offset ${offset}`),
  );
  const seqs = hits.slice(0, limit).map((h) => h.seq);
  if (seqs.length === 0) return { messages: [], hasMore: false };
  const rows = new Map(db.select().from(messages).where(inList(messages.seq, seqs)).all().map((r) => [r.seq, r]));
  return { messages: toMessages(db, meta.channelId, seqs.flatMap((s) => rows.get(s) ?? [])), hasMore: hits.length > limit };
}

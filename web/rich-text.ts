import type { User } from "../src/client";

/** Text helpers for mentions, search snippets and quotes; they return strings and ranges, never markup. */

/** The `@prefix` being typed just before the caret, if any: where it starts and what follows the @. */
export function mentionQuery(text: string, caret: number): { start: number; prefix: string } | null {
  const match = /(?:^|[^\p{L}\p{N}_@])@([A-Za-z0-9_]{0,32})$/u.exec(text.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[1]!.length - 1, prefix: match[1]! };
}

/** Members whose handle, or a word of whose name, starts with `prefix`; handle matches first. */
export function mentionCandidates(members: readonly User[], prefix: string, meId: string, max = 6): User[] {
  const p = fold(prefix);
  const scored: { user: User; score: number }[] = [];
  for (const user of members) {
    if (user.id === meId) continue;
    if (fold(user.handle).startsWith(p)) scored.push({ user, score: 0 });
    else if (fold(user.displayName).split(/\s+/).some((w) => w.startsWith(p))) scored.push({ user, score: 1 });
  }
  scored.sort((a, b) => a.score - b.score || a.user.displayName.localeCompare(b.user.displayName));
  return scored.slice(0, max).map((s) => s.user);
}

/** Lower case without accents, as the search index compares words. */
function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** A piece of a snippet; `mark` for a word that matches the search. */
export interface Segment {
  text: string;
  mark: boolean;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The words of a search, folded; a trailing `*` is the server's prefix mark and adds nothing here. */
function searchTerms(query: string): string[] {
  return [...fold(query).matchAll(WORD)].map((m) => m[0]);
}

/** Whether every word of a search starts a word of `text` (as the server's index matches). */
export function matchesQuery(text: string, query: string): boolean {
  const terms = searchTerms(query);
  if (terms.length === 0) return false;
  const words = [...fold(text).matchAll(WORD)].map((m) => m[0]);
  return terms.every((t) => words.some((w) => w.startsWith(t)));
}

/**
 * A stretch of `text` around its first search hit, at most about `max`
 * characters, with the words that match a term (by prefix, ignoring case and
 * accents, as the index does) in <mark>.
 */
export function markedSnippet(text: string, query: string, max = 140): Segment[] {
  const terms = searchTerms(query);
  const flat = text.replace(/\s+/g, " ").trim();
  const hits: { start: number; end: number }[] = [];
  for (const m of flat.matchAll(WORD)) {
    const word = fold(m[0]);
    if (terms.some((t) => word.startsWith(t))) hits.push({ start: m.index, end: m.index + m[0].length });
  }
  let from = 0;
  if (flat.length > max && hits[0] && hits[0].start > max / 3) from = Math.max(0, hits[0].start - Math.floor(max / 3));
  const to = Math.min(flat.length, from + max);
  const out: Segment[] = [];
  let at = from;
  if (from > 0) out.push({ text: "…", mark: false });
  for (const hit of hits) {
    if (hit.start < at || hit.end > to) continue;
    if (hit.start > at) out.push({ text: flat.slice(at, hit.start), mark: false });
    out.push({ text: flat.slice(hit.start, hit.end), mark: true });
    at = hit.end;
  }
  if (at < to) out.push({ text: flat.slice(at, to), mark: false });
  if (to < flat.length) out.push({ text: "…", mark: false });
  return out;
}

/** A one-line quote of a message body. */
export function quoteText(body: string, max = 120): string {
  const flat = body.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : flat;
}

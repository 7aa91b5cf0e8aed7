import DOMPurify from "dompurify";
import { Marked, type Tokens } from "marked";
import type { User } from "../src/client";

/**
 * A message body as sanitised HTML: GFM through marked (links, bold, italic,
 * strike, inline and fenced code, quotes, lists), @mentions of members as
 * spans. Raw HTML typed by users is never markup: marked's html tokens are
 * rendered as escaped text, and DOMPurify then keeps only the tags and
 * attributes below, so even a parser bug cannot let a script or a handler through.
 */

const ALLOWED_TAGS = ["p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "hr"];
const ALLOWED_ATTR = ["href", "class", "title", "start"];
const SAFE_URL = /^(https?:|mailto:)/i;
const HANDLE = /^@([A-Za-z0-9_]{3,32})(?![A-Za-z0-9_])/;

// Links open in a new tab without handing it this page (set after sanitising: DOMPurify drops `target` otherwise).
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Who can be mentioned in the body being rendered (marked's extensions take no per-call argument). */
let context: { byHandle: Map<string, User>; meId: string } = { byHandle: new Map(), meId: "" };

const marked = new Marked({
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escape(text),
    heading({ tokens }) {
      // A "# " line in chat is emphasis, not a document heading.
      return `<p><strong>${this.parser.parseInline(tokens)}</strong></p>`;
    },
    link({ href, title, tokens }) {
      const text = this.parser.parseInline(tokens);
      if (!SAFE_URL.test(href)) return text;
      return `<a href="${escape(href)}"${title ? ` title="${escape(title)}"` : ""} target="_blank" rel="noopener noreferrer">${text}</a>`;
    },
    // No remote images in messages: the address, as a link.
    image: ({ href, text }) => (SAFE_URL.test(href) ? `<a href="${escape(href)}" target="_blank" rel="noopener noreferrer">${escape(text || href)}</a>` : escape(text)),
  },
  extensions: [
    {
      name: "mention",
      level: "inline",
      start: (src: string) => src.search(/(?<![\p{L}\p{N}_@])@/u),
      tokenizer(src: string) {
        const m = HANDLE.exec(src);
        const member = m ? context.byHandle.get(m[1]!.toLowerCase()) : undefined;
        if (!m || !member) return undefined;
        return { type: "mention", raw: m[0], member };
      },
      renderer(token: Tokens.Generic) {
        const member = token["member"] as User;
        return `<span class="mention${member.id === context.meId ? " mention-me" : ""}" title="${escape(member.displayName)}">${escape(token.raw)}</span>`;
      },
    },
  ],
});

/** The HTML of a message body, sanitised; no whitespace between block tags (the body keeps `white-space: pre-wrap`). */
export function renderMarkdown(text: string, members: readonly User[], meId: string): string {
  context = { byHandle: new Map(members.map((m) => [m.handle.toLowerCase(), m])), meId };
  const html = (marked.parse(text, { async: false }) as string)
    .trim()
    .replace(/\n<\/code><\/pre>/g, "</code></pre>") // a code block's last newline would show as an empty line
    .replace(/>\n+</g, "><");
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i });
}

const EMOJI_ONLY = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3|\s)+$/u;

/** One to eight emoji and nothing else: shown large, as chat apps do. */
export function isEmojiOnly(text: string): boolean {
  if (!EMOJI_ONLY.test(text) || !/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(text)) return false;
  return [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text.trim())].filter((s) => s.segment.trim()).length <= 8;
}

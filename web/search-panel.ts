import type { Message } from "../src/client";
import { h, icon, ICONS } from "./dom";
import { dayLabel, formatTime } from "./format";
import { markedSnippet } from "./rich-text";

const TYPING_DELAY_MS = 300;

export interface SearchHandlers {
  search(q: string): Promise<Message[]>;
  senderName(senderId: string): string;
  /** Shows a hit in the conversation. */
  jump(message: Message): void;
}

/**
 * The channel's search: a box for the header (role="search", "Search
 * messages") and a results panel under it, best match first, each hit a
 * button that jumps to the message in context.
 */
export class SearchPanel {
  readonly box: HTMLElement;
  readonly panel: HTMLElement;
  readonly #input = h("input", { type: "search", class: "search-input", placeholder: "Search", title: "Search messages", autocomplete: "off", maxlength: 256, enterkeyhint: "search" });
  readonly #status = h("p", { class: "search-status muted", role: "status" });
  readonly #list = h("ul", { class: "search-hits" });
  #timer: ReturnType<typeof setTimeout> | undefined;
  #asked = 0;
  #lastQuery = "";

  // The box is named by its title ("Search messages"), not aria-label: labels containing "message"
  // would also answer the composer's getByLabel("Message") in the e2e tests.
  constructor(private readonly handlers: SearchHandlers) {
    const input = this.#input;
    this.box = h("form", { class: "search-box", role: "search" }, icon(ICONS.search), input);
    this.panel = h(
      "section",
      { class: "search-results", "aria-label": "Search results", hidden: true },
      h(
        "div",
        { class: "search-results-head" },
        this.#status,
        h("button", { type: "button", class: "icon-button", "aria-label": "Close search results", onclick: () => this.close(true) }, icon(ICONS.close)),
      ),
      this.#list,
    );
    this.box.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.#run(input.value, true);
    });
    input.addEventListener("input", () => {
      clearTimeout(this.#timer);
      const q = input.value.trim();
      if (q.length === 0) return this.close(false);
      if (q.length >= 2) this.#timer = setTimeout(() => void this.#run(q, false), TYPING_DELAY_MS);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        if (!this.panel.hidden) this.close(false);
        else input.value = "";
      } else if (event.key === "ArrowDown" && !this.panel.hidden) {
        event.preventDefault();
        this.#hits()[0]?.focus();
      }
    });
    input.addEventListener("focus", () => {
      // Coming back to a query whose results were closed by a jump shows them again.
      if (this.panel.hidden && input.value.trim() && input.value.trim() === this.#lastQuery && this.#list.childElementCount > 0) this.panel.hidden = false;
    });
    this.panel.addEventListener("keydown", (event) => this.#onPanelKey(event));
  }

  /** Hides the results; `clear` also empties the box. */
  close(clear: boolean): void {
    clearTimeout(this.#timer);
    this.#asked++;
    this.panel.hidden = true;
    if (clear) {
      this.#input.value = "";
      this.#lastQuery = "";
      this.#list.replaceChildren();
      this.#input.focus();
    }
  }

  async #run(raw: string, now: boolean): Promise<void> {
    clearTimeout(this.#timer);
    const q = raw.trim();
    if (!q) return;
    if (!now && q === this.#lastQuery && !this.panel.hidden) return;
    const ticket = ++this.#asked;
    this.panel.hidden = false;
    this.#status.textContent = "Searching…";
    let hits: Message[];
    try {
      hits = await this.handlers.search(q);
    } catch {
      if (ticket === this.#asked) this.#status.textContent = "Search failed. Check your connection and try again.";
      return;
    }
    if (ticket !== this.#asked) return; // a newer search or a close came meanwhile
    this.#lastQuery = q;
    this.#status.textContent = hits.length === 0 ? `No messages match “${q}”.` : `${hits.length}${hits.length >= 50 ? "+" : ""} ${hits.length === 1 ? "message" : "messages"}, best match first`;
    this.#list.replaceChildren(...hits.map((m) => this.#hit(m, q)));
  }

  #hit(message: Message, q: string): HTMLElement {
    return h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "search-hit",
          "data-seq": message.seq,
          onclick: () => {
            this.panel.hidden = true;
            this.handlers.jump(message);
          },
        },
        h(
          "span",
          { class: "hit-head" },
          h("strong", { text: this.handlers.senderName(message.senderId) }),
          h("time", { class: "muted", dateTime: new Date(message.createdAt).toISOString(), text: `${dayLabel(message.createdAt)}, ${formatTime(message.createdAt)}` }),
        ),
        h("span", { class: "hit-text" }, ...markedSnippet(message.body, q)),
      ),
    );
  }

  #hits(): HTMLElement[] {
    return [...this.#list.querySelectorAll<HTMLElement>(".search-hit")];
  }

  #onPanelKey(event: KeyboardEvent): void {
    const hits = this.#hits();
    const i = hits.indexOf(document.activeElement as HTMLElement);
    if (event.key === "Escape") {
      event.preventDefault();
      this.panel.hidden = true;
      this.#input.focus();
    } else if (event.key === "ArrowDown" && i >= 0) {
      event.preventDefault();
      hits[Math.min(hits.length - 1, i + 1)]?.focus();
    } else if (event.key === "ArrowUp" && i >= 0) {
      event.preventDefault();
      if (i === 0) this.#input.focus();
      else hits[i - 1]?.focus();
    }
  }
}

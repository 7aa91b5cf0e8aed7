import type { User } from "../src/client";
import { avatar } from "./avatar";
import { h } from "./dom";
import { mentionCandidates, mentionQuery } from "./rich-text";

/**
 * @mention autocomplete for a textarea: while an `@prefix` is being typed it
 * lists matching members (listbox, aria-activedescendant on the textarea);
 * ↑/↓ choose, Enter or Tab or a click inserts `@handle `, Escape dismisses.
 */
export class MentionPicker {
  readonly element = h("ul", { id: "mention-list", class: "mention-list", role: "listbox", "aria-label": "Mention someone", hidden: true });
  #query: { start: number; prefix: string } | null = null;
  #candidates: User[] = [];
  #active = 0;
  /** Where the @ that Escape dismissed starts: it stays dismissed while the caret is in it. */
  #dismissed: number | null = null;

  constructor(
    private readonly input: HTMLTextAreaElement,
    private readonly members: () => readonly User[],
    private readonly meId: string,
    private readonly inserted: () => void,
  ) {
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.element.id);
    for (const type of ["input", "click", "focus"]) input.addEventListener(type, () => this.update());
    input.addEventListener("keyup", (e) => (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End") && this.update());
    input.addEventListener("blur", () => this.hide());
    // mousedown would move focus out of the textarea (and close the list) before the click lands.
    this.element.addEventListener("mousedown", (e) => e.preventDefault());
  }

  get open(): boolean {
    return !this.element.hidden;
  }

  /** Handles a key while the list is open; returns whether it did. */
  onKey(event: KeyboardEvent): boolean {
    if (!this.open || event.isComposing) return false;
    switch (event.key) {
      case "ArrowDown":
        this.#move(1);
        break;
      case "ArrowUp":
        this.#move(-1);
        break;
      case "Enter":
      case "Tab":
        if (event.shiftKey) return false;
        this.#choose(this.#candidates[this.#active]);
        break;
      case "Escape":
        this.#dismissed = this.#query?.start ?? null;
        this.hide();
        break;
      default:
        return false;
    }
    event.preventDefault();
    event.stopPropagation();
    return true;
  }

  update(): void {
    const input = this.input;
    const query = input.selectionStart === input.selectionEnd ? mentionQuery(input.value, input.selectionStart) : null;
    if (!query || query.start !== this.#dismissed) this.#dismissed = null;
    const candidates = query && this.#dismissed === null ? mentionCandidates(this.members(), query.prefix, this.meId) : [];
    if (!query || candidates.length === 0) return this.hide();
    const keep = this.#candidates[this.#active]?.id;
    this.#query = query;
    this.#candidates = candidates;
    this.#active = Math.max(0, candidates.findIndex((c) => c.id === keep));
    this.#render();
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
    this.#query = null;
    this.#candidates = [];
    this.input.removeAttribute("aria-activedescendant");
  }

  #move(by: number): void {
    const n = this.#candidates.length;
    this.#active = (this.#active + by + n) % n;
    this.#render();
  }

  #choose(user: User | undefined): void {
    const query = this.#query;
    if (!user || !query) return this.hide();
    const end = query.start + 1 + query.prefix.length;
    this.input.setRangeText(`@${user.handle} `, query.start, end, "end");
    this.hide();
    this.input.focus();
    this.inserted();
  }

  #render(): void {
    this.element.replaceChildren(
      ...this.#candidates.map((user, i) =>
        h(
          "li",
          {
            id: `mention-option-${i}`,
            role: "option",
            class: "mention-option",
            "aria-selected": i === this.#active ? "true" : "false",
            onclick: () => this.#choose(user),
          },
          avatar(user.id, user.displayName),
          h("span", { class: "mention-name", text: user.displayName }),
          h("span", { class: "mention-handle muted", text: `@${user.handle}` }),
        ),
      ),
    );
    this.input.setAttribute("aria-activedescendant", `mention-option-${this.#active}`);
  }
}

import { h, icon } from "./dom";

/** The reactions offered in the picker: common, and each with a name for screen readers. */
export const QUICK_REACTIONS: readonly { emoji: string; name: string }[] = [
  { emoji: "👍", name: "thumbs up" },
  { emoji: "❤️", name: "heart" },
  { emoji: "😂", name: "laughing" },
  { emoji: "🎉", name: "party" },
  { emoji: "😮", name: "surprised" },
  { emoji: "😢", name: "sad" },
  { emoji: "🙏", name: "thank you" },
];

export interface MenuAction {
  label: string;
  icon: string;
  danger?: boolean;
  /** Keeps the menu open (e.g. "React" swaps in the picker). */
  keepOpen?: boolean;
  run(): void;
}

export interface PickerChoice {
  emoji: string;
  name: string;
  checked: boolean;
  run(): void;
}

/**
 * The one popup menu of a conversation: a message's actions, or the reaction
 * picker. A native popover (top layer, light dismiss, Escape), keyboard
 * navigable like a menu; focus goes back to the button that opened it.
 */
export class MessageMenu {
  readonly element = h("div", { class: "menu", role: "menu", popover: "auto", "aria-label": "Actions" });
  /** The message whose button opened the menu. */
  messageId: string | null = null;
  #anchor: HTMLElement | null = null;
  #closedAt = 0;
  #closedFor: string | null = null;
  #onClosed: (() => void) | null = null;

  constructor() {
    // beforetoggle, not toggle: it fires at once, while focus is still inside and before another open.
    this.element.addEventListener("beforetoggle", (event) => {
      if ((event as ToggleEvent).newState !== "closed") return;
      const hadFocus = this.element.contains(document.activeElement);
      this.#closedAt = performance.now();
      this.#closedFor = this.messageId;
      const anchor = this.#anchor;
      this.messageId = null;
      this.#anchor = null;
      anchor?.setAttribute("aria-expanded", "false");
      this.#onClosed?.();
      if (hadFocus && anchor?.isConnected) anchor.focus({ preventScroll: true });
    });
    this.element.addEventListener("keydown", (event) => this.#onKey(event));
  }

  get isOpen(): boolean {
    return this.element.matches(":popover-open");
  }

  /**
   * Opens for a message's button; a second click on the same button closes it
   * (the popover's light dismiss has already closed it by then).
   */
  toggleActions(anchor: HTMLElement, messageId: string, actions: MenuAction[], onClosed: () => void): void {
    if (this.#justClosed(messageId)) return;
    this.element.setAttribute("aria-label", "Actions");
    this.element.classList.remove("picker");
    this.element.replaceChildren(
      ...actions.map((a) =>
        h(
          "button",
          {
            type: "button",
            role: "menuitem",
            tabindex: -1,
            class: `menu-item${a.danger ? " danger" : ""}`,
            onclick: () => {
              if (!a.keepOpen) this.close();
              a.run();
            },
          },
          icon(a.icon),
          h("span", { text: a.label }),
        ),
      ),
    );
    this.#show(anchor, messageId, onClosed);
  }

  /** The reaction picker for a message: one button per emoji, checked where the user already reacted. */
  showPicker(anchor: HTMLElement, messageId: string, choices: PickerChoice[], onClosed: () => void): void {
    this.element.setAttribute("aria-label", "Reactions");
    this.element.classList.add("picker");
    this.element.replaceChildren(
      ...choices.map((c) =>
        h("button", {
          type: "button",
          role: "menuitemcheckbox",
          "aria-checked": c.checked ? "true" : "false",
          "aria-label": `React with ${c.name}`,
          title: c.name,
          tabindex: -1,
          class: "menu-emoji",
          text: c.emoji,
          onclick: () => {
            this.close();
            c.run();
          },
        }),
      ),
    );
    this.#show(anchor, messageId, onClosed);
  }

  close(): void {
    if (this.isOpen) this.element.hidePopover();
  }

  /** Follows the button after the list re-rendered (it may be a new element now); closes if the message is gone. */
  reanchor(anchor: HTMLElement | null): void {
    if (!this.isOpen) return;
    if (!anchor) return this.close();
    if (anchor !== this.#anchor) {
      this.#anchor = anchor;
      anchor.setAttribute("aria-expanded", "true");
    }
    this.#place();
  }

  #justClosed(messageId: string): boolean {
    return this.#closedFor === messageId && performance.now() - this.#closedAt < 300;
  }

  #show(anchor: HTMLElement, messageId: string, onClosed: () => void): void {
    if (this.isOpen) {
      // Swapping actions for the picker: the old close handler must not run.
      this.#onClosed = null;
      this.element.hidePopover();
    }
    this.messageId = messageId;
    this.#anchor = anchor;
    this.#onClosed = onClosed;
    anchor.setAttribute("aria-expanded", "true");
    if (!this.element.isConnected) document.body.appendChild(this.element);
    this.element.showPopover();
    this.#place();
    this.#items()[0]?.focus({ preventScroll: true });
  }

  /** Below the button (above when there is no room), kept inside the window. */
  #place(): void {
    const anchor = this.#anchor;
    if (!anchor) return;
    const a = anchor.getBoundingClientRect();
    const m = this.element.getBoundingClientRect();
    const margin = 8;
    let top = a.bottom + 4;
    if (top + m.height > window.innerHeight - margin) top = Math.max(margin, a.top - m.height - 4);
    let left = a.right - m.width;
    left = Math.min(Math.max(margin, left), window.innerWidth - m.width - margin);
    // Set through the CSSOM, which the Content-Security-Policy allows (style attributes it would not).
    this.element.style.top = `${Math.round(top)}px`;
    this.element.style.left = `${Math.round(left)}px`;
  }

  #items(): HTMLElement[] {
    return [...this.element.querySelectorAll<HTMLElement>("[role^=menuitem]")];
  }

  #onKey(event: KeyboardEvent): void {
    const items = this.#items();
    const index = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    };
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        return move(index + 1);
      case "ArrowUp":
      case "ArrowLeft":
        return move(index - 1);
      case "Home":
        return move(0);
      case "End":
        return move(items.length - 1);
      case "Tab":
        event.preventDefault();
        this.close();
        return;
    }
  }
}

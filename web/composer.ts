import type { User } from "../src/client";
import { MAX_MESSAGE_CHARS } from "../src/protocol";
import { h, icon, ICONS } from "./dom";
import { MentionPicker } from "./mention-picker";
import { AttachmentTray } from "./attachment-tray";

export interface ComposerHandlers {
  send(body: string, replyTo?: number, attachments?: string[]): void;
  /** Where uploads go (the open channel and the session). */
  uploadTarget(): { baseUrl: string; token: string; channelId: string };
  typing(): void;
  /** The channel's members, for @mention autocomplete. */
  members(): readonly User[];
  meId: string;
}

/** The message being answered, as the reply bar quotes it. */
export interface ReplyTarget {
  seq: number;
  name: string;
  text: string;
}

/**
 * The message box: Enter sends, Shift+Enter breaks the line; typing is
 * reported (throttled by the SDK); `@` offers members to mention; a reply
 * shows its quote above the box until sent or cancelled (Escape).
 */
export class Composer {
  readonly element: HTMLElement;
  readonly #input = h("textarea", { id: "composer-input", rows: 1, placeholder: "Write a message", maxlength: MAX_MESSAGE_CHARS, autocomplete: "off" });
  readonly #note = h("p", { class: "composer-note", role: "status" });
  readonly #replyBar = h("div", { class: "reply-bar", hidden: true });
  readonly #picker: MentionPicker;
  readonly #tray: AttachmentTray;
  #reply: ReplyTarget | null = null;

  constructor(private readonly handlers: ComposerHandlers) {
    const input = this.#input;
    this.#picker = new MentionPicker(input, handlers.members, handlers.meId, () => handlers.typing());
    const tray = (this.#tray = new AttachmentTray(handlers.uploadTarget, (text) => this.note(text)));
    const picker = h("input", { type: "file", multiple: true, class: "visually-hidden", id: "attach-input", "aria-label": "Attach files" }) as HTMLInputElement;
    picker.addEventListener("change", () => {
      tray.add(picker.files ?? []);
      picker.value = "";
    });
    const form = h(
      "form",
      { class: "composer" },
      h("label", { for: "attach-input", class: "icon-button attach", title: "Attach files" }, icon(ICONS.attach), h("span", { class: "visually-hidden", text: "Attach" })),
      picker,
      h("label", { for: "composer-input", class: "visually-hidden", text: "Message" }),
      input,
      h("button", { type: "submit", class: "primary send" }, icon(ICONS.send), h("span", { text: "Send" })),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#submit();
      input.focus();
    });
    input.addEventListener("keydown", (event) => {
      if (this.#picker.onKey(event)) return;
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#submit();
      } else if (event.key === "Escape" && this.#reply) {
        event.preventDefault();
        this.replyTo(null);
      }
    });
    input.addEventListener("input", () => {
      if (input.value.trim().length > 0) handlers.typing();
    });
    // Pasted or dropped files (a screenshot, a photo dragged in) become uploads.
    input.addEventListener("paste", (event) => {
      const files = event.clipboardData?.files;
      if (files && files.length > 0) {
        event.preventDefault();
        tray.add(files);
      }
    });
    const original = h("label", { class: "original-label", title: "Send photos at full size instead of scaled to 2560 px" }, tray.original, " Original quality");
    this.element = h("div", { class: "composer-wrap" }, this.#replyBar, tray.element, h("div", { class: "composer-box" }, this.#picker.element, form), h("div", { class: "composer-foot" }, this.#note, original));
    this.element.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
    this.element.addEventListener("drop", (event) => {
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      tray.add(event.dataTransfer.files);
    });
  }

  note(text: string): void {
    this.#note.textContent = text;
  }

  focus(): void {
    this.#input.focus();
  }

  /** Starts (or, with null, cancels) a reply: its quote shows above the box. */
  replyTo(target: ReplyTarget | null): void {
    this.#reply = target;
    this.#replyBar.hidden = target === null;
    if (!target) {
      this.#replyBar.replaceChildren();
      return;
    }
    this.#replyBar.replaceChildren(
      icon(ICONS.reply),
      h(
        "div",
        { class: "reply-bar-main" },
        h("span", { class: "reply-bar-title" }, "Replying to ", h("strong", { text: target.name })),
        h("span", { class: "reply-bar-text", text: target.text }),
      ),
      h("button", { type: "button", class: "icon-button", "aria-label": "Cancel reply", onclick: () => (this.replyTo(null), this.focus()) }, icon(ICONS.close)),
    );
    this.focus();
  }

  /** The reply in progress, if any. */
  get replying(): number | null {
    return this.#reply?.seq ?? null;
  }

  #submit(): void {
    const body = this.#input.value;
    const attachments = this.#tray.ready();
    if (attachments === null) {
      this.#note.textContent = "Waiting for uploads to finish…";
      return;
    }
    if (body.trim().length === 0 && attachments.length === 0) return;
    this.handlers.send(body, this.#reply?.seq, attachments);
    this.#tray.clear();
    this.#input.value = "";
    this.#picker.hide();
    this.replyTo(null);
    this.#note.textContent = "";
  }
}

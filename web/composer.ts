import { MAX_MESSAGE_CHARS } from "../src/protocol";
import { h, icon, ICONS } from "./dom";

/** The message box: Enter sends, Shift+Enter breaks the line; typing is reported (throttled by the SDK). */
export function composer(handlers: { send(body: string): void; typing(): void }): { element: HTMLElement; note(text: string): void; focus(): void } {
  const input = h("textarea", { id: "composer-input", rows: 1, placeholder: "Write a message", maxlength: MAX_MESSAGE_CHARS, autocomplete: "off" });
  const note = h("p", { class: "composer-note", role: "status" });
  const form = h(
    "form",
    { class: "composer" },
    h("label", { for: "composer-input", class: "visually-hidden", text: "Message" }),
    input,
    h("button", { type: "submit", class: "primary send" }, icon(ICONS.send), h("span", { text: "Send" })),
  );
  const submit = () => {
    const body = input.value;
    if (body.trim().length === 0) return;
    handlers.send(body);
    input.value = "";
    note.textContent = "";
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
    input.focus();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    if (input.value.trim().length > 0) handlers.typing();
  });
  return {
    element: h("div", { class: "composer-wrap" }, form, note),
    note: (text) => (note.textContent = text),
    focus: () => input.focus(),
  };
}

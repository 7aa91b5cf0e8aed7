import { ApiError } from "../src/client";
import { h } from "./dom";

interface DialogField {
  id: string;
  label: string;
  hint?: string;
  attrs?: Record<string, string | number | boolean>;
}

/**
 * A modal form in a native <dialog>: labelled fields, a submit button and
 * Cancel. `onSubmit` returns an error message to show, or nothing to close.
 */
export function openFormDialog(options: {
  title: string;
  fields: DialogField[];
  submitLabel: string;
  onSubmit(values: Record<string, string>): Promise<string | void>;
}): HTMLDialogElement {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const inputs = options.fields.map((f) =>
    h("input", { id: `${titleId}-${f.id}`, name: f.id, autocomplete: "off", autocapitalize: "none", spellcheck: "false", ...f.attrs }),
  );
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary", text: options.submitLabel });
  const cancel = h("button", { type: "button", class: "secondary", text: "Cancel" });
  const form = h(
    "form",
    { class: "dialog-form" },
    h("h2", { id: titleId, text: options.title }),
    ...options.fields.map((f, i) =>
      h(
        "div",
        { class: "field" },
        h("label", { for: inputs[i]!.id, text: f.label }),
        inputs[i],
        f.hint ? h("small", { class: "hint", text: f.hint }) : null,
      ),
    ),
    error,
    h("div", { class: "dialog-actions" }, cancel, submit),
  );
  const dialog = h("dialog", { "aria-labelledby": titleId }, form);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener("click", close);
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const values = Object.fromEntries(options.fields.map((f, i) => [f.id, inputs[i]!.value.trim()]));
      const problem = await options.onSubmit(values);
      if (problem) error.textContent = problem;
      else close();
    } catch (err) {
      error.textContent = describeError(err);
    } finally {
      submit.disabled = false;
    }
  });
  document.body.appendChild(dialog);
  dialog.showModal();
  inputs[0]?.focus();
  return dialog;
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "not_found") return "No user with that handle.";
    if (err.code === "conflict" && err.message) return err.message;
    return err.message || "Something went wrong.";
  }
  return "Could not reach the server. Try again.";
}

/** Handles typed as "ann, @bo cy" → ["ann", "bo", "cy"]. */
export function parseHandles(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.replace(/^@/, "").toLowerCase()).filter(Boolean))];
}

/** A yes/no question in a native modal <dialog>; resolves true only for the confirm button. */
export function confirmDialog(options: { title: string; text: string; confirmLabel: string }): Promise<boolean> {
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const confirm = h("button", { type: "button", class: "primary danger", text: options.confirmLabel });
  const cancel = h("button", { type: "button", class: "secondary", text: "Cancel" });
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("div", { class: "dialog-form" }, h("h2", { id: titleId, text: options.title }), h("p", { class: "dialog-text muted", text: options.text }), h("div", { class: "dialog-actions" }, cancel, confirm)),
  );
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    confirm.addEventListener("click", () => done(true));
    cancel.addEventListener("click", () => done(false));
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      done(false);
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

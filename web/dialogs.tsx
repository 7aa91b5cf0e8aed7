import { render, type ComponentChildren } from "preact";
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { ApiError } from "../src/client";
import { PeopleSuggest, type PeopleSuggester } from "./people-suggest";

export interface DialogField {
  id: string;
  label: string;
  hint?: string;
  /** What the field holds when the dialog opens (selected, to type over). */
  value?: string;
  attrs?: Record<string, string | number | boolean>;
  /** A checkbox (label after it); its value is "on" when checked, else "". */
  checkbox?: true;
  /** People to suggest as one types (a handle field). */
  suggest?: PeopleSuggester;
}

/** Mounts a modal component in its own container on <body>; `close` unmounts it. */
export function mountModal(make: (close: () => void) => ComponentChildren): void {
  const host = document.createElement("div");
  document.body.appendChild(host);
  const close = () => {
    render(null, host);
    host.remove();
  };
  render(make(close), host);
}

/** A native modal <dialog>, opened on mount; Escape calls `onCancel`. */
export function Modal({ labelledBy, onCancel, children, class: className }: { labelledBy: string; onCancel(): void; children: ComponentChildren; class?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    dialog.showModal();
    return () => dialog.open && dialog.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={className}
      aria-labelledby={labelledBy}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}

interface FormDialogProps {
  title: string;
  fields: DialogField[];
  submitLabel: string;
  /** Returns an error message to show, or nothing to close. */
  onSubmit(values: Record<string, string>): Promise<string | void>;
}

/** A modal form: labelled fields, a submit button and Cancel. */
export function openFormDialog(options: FormDialogProps): void {
  mountModal((close) => <FormDialog {...options} close={close} />);
}

function FormDialog({ title, fields, submitLabel, onSubmit, close }: FormDialogProps & { close(): void }) {
  const id = useId();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => {
    for (const f of fields) if (f.value !== undefined) (document.getElementById(`${id}-${f.id}`) as HTMLInputElement).value = f.value;
    first.current?.focus();
    first.current?.select();
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    setError("");
    setBusy(true);
    try {
      const values = Object.fromEntries(fields.map((f) => [f.id, String(new FormData(form).get(f.id) ?? "").trim()]));
      const problem = await onSubmit(values);
      if (problem) setError(problem);
      else return close();
    } catch (err) {
      setError(describeError(err));
    }
    setBusy(false);
  };
  return (
    <Modal labelledBy={id} onCancel={close}>
      <form class="dialog-form" onSubmit={submit}>
        <h2 id={id}>{title}</h2>
        {fields.map((f, i) =>
          f.checkbox ? (
            <div class="field checkbox-field" key={f.id}>
              <input type="checkbox" id={`${id}-${f.id}`} name={f.id} {...f.attrs} />
              <label for={`${id}-${f.id}`}>{f.label}</label>
              {f.hint ? <small class="hint">{f.hint}</small> : null}
            </div>
          ) : (
          <div class="field" key={f.id}>
            <label for={`${id}-${f.id}`}>{f.label}</label>
            <input ref={i === 0 ? first : undefined} id={`${id}-${f.id}`} name={f.id} autocomplete="off" autocapitalize="none" spellcheck={false} {...f.attrs} />
            {f.suggest ? <PeopleSuggest inputId={`${id}-${f.id}`} suggester={f.suggest} /> : null}
            {f.hint ? <small class="hint">{f.hint}</small> : null}
          </div>
          ),
        )}
        <p class="form-error" role="alert">
          {error}
        </p>
        <div class="dialog-actions">
          <button type="button" class="secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
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

/** A yes/no question in a modal dialog; resolves true only for the confirm button. */
export function confirmDialog(options: { title: string; text: string; confirmLabel: string }): Promise<boolean> {
  return new Promise((resolve) =>
    mountModal((close) => {
      const done = (answer: boolean) => {
        close();
        resolve(answer);
      };
      return <ConfirmDialog {...options} done={done} />;
    }),
  );
}

function ConfirmDialog({ title, text, confirmLabel, done }: { title: string; text: string; confirmLabel: string; done(answer: boolean): void }) {
  const id = useId();
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <Modal labelledBy={id} onCancel={() => done(false)}>
      <div class="dialog-form">
        <h2 id={id}>{title}</h2>
        <p class="dialog-text muted">{text}</p>
        <div class="dialog-actions">
          <button ref={cancel} type="button" class="secondary" onClick={() => done(false)}>
            Cancel
          </button>
          <button type="button" class="primary danger" onClick={() => done(true)}>
            {confirmLabel}
          </button>
        </div>
      </div>
    </Modal>
  );
}

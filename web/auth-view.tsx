import { useEffect, useRef, useState } from "preact/hooks";
import type { HttpClient, User } from "../src/client";
import { ApiError } from "../src/client";

/**
 * Sign up and log in on one form: Handle, Display name (sign up only; the
 * handle stands in when empty) and Password, with a button for each.
 */
export function AuthView({ http, onAuthed }: { http: HttpClient; onAuthed(token: string, user: User): void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<"login" | "signup">("login");
  const handleRef = useRef<HTMLInputElement>(null);
  useEffect(() => handleRef.current?.focus(), []);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const chosen = (event.submitter as HTMLButtonElement | null)?.value === "signup" ? "signup" : "login";
    setMode(chosen);
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const body = { handle: String(data.get("handle") ?? "").trim(), password: String(data.get("password") ?? "") };
    setError("");
    setBusy(true);
    try {
      const answer =
        chosen === "signup"
          ? await http.signup({ ...body, displayName: String(data.get("displayName") ?? "").trim() || body.handle })
          : await http.login(body);
      onAuthed(answer.token, answer.user);
    } catch (err) {
      setError(describe(err, chosen));
      setBusy(false);
    }
  };

  return (
    <main class="auth-screen">
      <form class="auth-card" aria-labelledby="auth-title" onSubmit={submit}>
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          <h1 id="auth-title">Edge Chat</h1>
        </div>
        <p class="muted">Log in, or sign up with a new handle.</p>
        <Field id="auth-handle" label="Handle" hint="3–32 letters, digits or _">
          <input ref={handleRef} id="auth-handle" name="handle" autocomplete="username" required minLength={3} maxLength={32} pattern="[A-Za-z0-9_]{3,32}" autocapitalize="none" spellcheck={false} aria-describedby="auth-handle-hint" />
        </Field>
        <Field id="auth-display-name" label="Display name" hint="Only for sign up; defaults to your handle">
          <input id="auth-display-name" name="displayName" autocomplete="nickname" maxLength={64} aria-describedby="auth-display-name-hint" />
        </Field>
        <Field id="auth-password" label="Password" hint="At least 8 characters">
          <input id="auth-password" name="password" type="password" autocomplete={mode === "signup" ? "new-password" : "current-password"} required minLength={8} maxLength={256} aria-describedby="auth-password-hint" />
        </Field>
        <p class="form-error" role="alert">
          {error}
        </p>
        <div class="auth-actions">
          <button type="submit" value="login" class="primary" disabled={busy}>
            Log in
          </button>
          <button type="submit" value="signup" class="secondary" disabled={busy}>
            Sign up
          </button>
        </div>
      </form>
    </main>
  );
}

function Field({ id, label, hint, children }: { id: string; label: string; hint: string; children: preact.ComponentChildren }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children}
      <small id={`${id}-hint`} class="hint">
        {hint}
      </small>
    </div>
  );
}

function describe(err: unknown, mode: "login" | "signup"): string {
  if (err instanceof ApiError) {
    if (err.code === "conflict") return "That handle is taken. Try another one.";
    if (err.code === "unauthorized") return "Wrong handle or password.";
    if (err.code === "rate_limited") return `Too many attempts. Try again in ${Math.ceil((err.retryAfterMs ?? 60_000) / 1000)} s.`;
    return err.message;
  }
  return mode === "signup" ? "Could not sign up. Check your connection." : "Could not log in. Check your connection.";
}

import type { HttpClient, User } from "../src/client";
import { ApiError } from "../src/client";
import { h } from "./dom";

/**
 * Sign up and log in on one form: Handle, Display name (sign up only; the
 * handle stands in when empty) and Password, with a button for each.
 */
export function renderAuthView(root: HTMLElement, http: HttpClient, onAuthed: (token: string, user: User) => void): void {
  const handle = h("input", { id: "auth-handle", name: "handle", autocomplete: "username", required: true, minlength: 3, maxlength: 32, pattern: "[A-Za-z0-9_]{3,32}", autocapitalize: "none", spellcheck: "false" });
  const displayName = h("input", { id: "auth-display-name", name: "displayName", autocomplete: "nickname", maxlength: 64 });
  const password = h("input", { id: "auth-password", name: "password", type: "password", autocomplete: "current-password", required: true, minlength: 8, maxlength: 256 });
  const error = h("p", { class: "form-error", role: "alert" });
  const login = h("button", { type: "submit", value: "login", class: "primary", text: "Log in" });
  const signup = h("button", { type: "submit", value: "signup", class: "secondary", text: "Sign up" });

  const form = h(
    "form",
    { class: "auth-card", "aria-labelledby": "auth-title", novalidate: false },
    h("div", { class: "brand" }, h("span", { class: "brand-mark", "aria-hidden": "true", text: "◆" }), h("h1", { id: "auth-title", text: "Edge Chat" })),
    h("p", { class: "muted", text: "Log in, or sign up with a new handle." }),
    field("auth-handle", "Handle", handle, "3–32 letters, digits or _"),
    field("auth-display-name", "Display name", displayName, "Only for sign up; defaults to your handle"),
    field("auth-password", "Password", password, "At least 8 characters"),
    error,
    h("div", { class: "auth-actions" }, login, signup),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const mode = (event.submitter as HTMLButtonElement | null)?.value === "signup" ? "signup" : "login";
    password.setAttribute("autocomplete", mode === "signup" ? "new-password" : "current-password");
    error.textContent = "";
    login.disabled = signup.disabled = true;
    try {
      const body = { handle: handle.value.trim(), password: password.value };
      const answer =
        mode === "signup"
          ? await http.signup({ ...body, displayName: displayName.value.trim() || body.handle })
          : await http.login(body);
      onAuthed(answer.token, answer.user);
    } catch (err) {
      error.textContent = describe(err, mode);
    } finally {
      login.disabled = signup.disabled = false;
    }
  });

  root.replaceChildren(h("main", { class: "auth-screen" }, form));
  handle.focus();
}

function field(id: string, label: string, input: HTMLInputElement, hint: string): HTMLElement {
  const hintId = `${id}-hint`;
  input.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: id, text: label }), input, h("small", { id: hintId, class: "hint", text: hint }));
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

import { ApiError, HttpClient } from "../src/client";
import { renderAuthView } from "./auth-view";
import { ChatApp } from "./chat-app";
import { clearSession, loadSession, saveSession } from "./session";

/** Entry point: the auth screen or the chat, and the service worker for push. */
const root = document.getElementById("app")!;

function showAuth(): void {
  document.title = "Edge Chat";
  renderAuthView(root, new HttpClient({ baseUrl: "" }), (token, user) => {
    saveSession({ token, user });
    showChat();
  });
}

function showChat(): void {
  const session = loadSession();
  if (!session) return showAuth();
  const app = new ChatApp(root, session.token, session.user, () => {
    clearSession();
    showAuth();
  });
  // A token that stopped working (logged out elsewhere, expired) leads back to the auth screen.
  new HttpClient({ baseUrl: "", token: session.token }).me().then(
    (user) => saveSession({ token: session.token, user }),
    (err) => {
      if (err instanceof ApiError && err.status === 401) app.endSession();
    },
  );
}

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {
    // Without a service worker the app still works; only push is lost.
  });
  // A clicked notification asks an open tab to show its channel.
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const data: unknown = event.data;
    if (data && typeof data === "object" && "type" in data && data.type === "open" && "url" in data && typeof data.url === "string") {
      const hash = new URL(data.url, location.origin).hash;
      if (hash.startsWith("#/c/")) location.hash = hash;
    }
  });
}

showChat();

import { useEffect, useMemo, useState } from "preact/hooks";
import { ApiError, HttpClient } from "../src/client";
import { AuthView } from "./auth-view";
import { ChatApp } from "./chat-app";
import { clearSession, loadSession, saveSession, type StoredSession } from "./session";

/** The auth screen or the chat, by whether a session is stored. */
export function App() {
  const [session, setSession] = useState<StoredSession | null>(() => loadSession());
  const http = useMemo(() => new HttpClient({ baseUrl: "" }), []);
  const end = () => {
    clearSession();
    setSession(null);
  };
  useEffect(() => {
    if (!session) {
      document.title = "Edge Chat";
      return;
    }
    // A token that stopped working (logged out elsewhere, expired) leads back to the auth screen.
    new HttpClient({ baseUrl: "", token: session.token }).me().then(
      (user) => saveSession({ token: session.token, user }),
      (err) => err instanceof ApiError && err.status === 401 && end(),
    );
  }, [session?.token]);
  if (!session) {
    return (
      <AuthView
        http={http}
        onAuthed={(token, user) => {
          const s = { token, user };
          saveSession(s);
          setSession(s);
        }}
      />
    );
  }
  const onProfile = (user: StoredSession["user"]) => {
    const s = { token: session.token, user };
    saveSession(s);
    setSession(s);
  };
  return <ChatApp key={session.token} token={session.token} me={session.user} onEnded={end} onProfile={onProfile} />;
}

import { render } from "preact";
import { App } from "./app";

/** Entry point: the app, and the service worker for push. */
const root = document.getElementById("app")!;
// The boot text ("Loading…") is index.html's, not Preact's: render() would leave it above the app.
root.replaceChildren();
render(<App />, root);

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

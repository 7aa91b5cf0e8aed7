// Service worker: shows a notification for a Web Push message and opens its channel on click.
// Payload (docs/protocol.md, Web Push): {type:"message", channelId, seq, senderId, preview, mention?}.

// It also keeps the app shell, so the app opens without a network (installable PWA):
// navigations and the shell's files come from the network when it answers, else from the cache.

const SHELL_CACHE = "edge-chat-shell-v1";
const SHELL = ["/", "/app.js", "/styles.css", "/icon.svg", "/icon-maskable.svg", "/manifest.webmanifest", "/emoji.json"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .catch(() => {}) // the app works without it; only offline start is lost
      .then(() => self.skipWaiting()),
  );
});
self.addEventListener("activate", (event) =>
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith("edge-chat-shell-") && key !== SHELL_CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  ),
);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  const key = request.mode === "navigate" ? "/" : url.pathname;
  if (request.mode !== "navigate" && !SHELL.includes(key)) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      try {
        // Network first, so a deploy shows at once; what answered is kept for the next offline start.
        const response = await fetch(request);
        if (response.ok) await cache.put(key, response.clone());
        return response;
      } catch (err) {
        const cached = await cache.match(key);
        if (cached) return cached;
        throw err;
      }
    })(),
  );
});

self.addEventListener("push", (event) => {
  let payload = null;
  try {
    payload = event.data ? event.data.json() : null;
  } catch {
    payload = null;
  }
  if (!payload || payload.type !== "message" || typeof payload.channelId !== "string") return;
  const url = `/#/c/${encodeURIComponent(payload.channelId)}`;
  event.waitUntil(
    self.registration.showNotification(payload.mention === true ? "You were mentioned" : "New message", {
      body: typeof payload.preview === "string" ? payload.preview : "",
      tag: `channel:${payload.channelId}`,
      renotify: true,
      icon: "/icon.svg",
      data: { url, channelId: payload.channelId, seq: payload.seq },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin === self.location.origin && "focus" in client) {
          // The page routes by hash: tell it where to go rather than reloading it.
          client.postMessage({ type: "open", url });
          await client.focus();
          return;
        }
      }
      await self.clients.openWindow(url);
    })(),
  );
});

// Service worker: shows a notification for a Web Push message and opens its channel on click.
// Payload (docs/protocol.md, Web Push): {type:"message", channelId, seq, senderId, preview, mention?}.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

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

import type { HttpClient } from "../src/client";
import { fromBase64Url } from "../src/accounts/encoding";
import { h, icon, ICONS } from "./dom";

/** The "Enable notifications" control: asks permission, subscribes with the server's VAPID key, registers the subscription for this device. */
export function notificationsButton(http: HttpClient, device: string): HTMLElement {
  const button = h("button", { type: "button", class: "secondary small" }, icon(ICONS.bell), h("span", { text: "Enable notifications" }));
  const label = button.querySelector("span")!;
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    button.disabled = true;
    button.title = "This browser cannot show push notifications";
    return button;
  }
  if (Notification.permission === "granted") void subscribe(http, device).then(() => done(), () => {});
  function done(): void {
    label.textContent = "Notifications on";
    button.disabled = true;
  }
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        label.textContent = "Notifications blocked";
        return;
      }
      await subscribe(http, device);
      done();
    } catch {
      label.textContent = "Notifications unavailable";
      button.disabled = false;
    }
  });
  return button;
}

async function subscribe(http: HttpClient, device: string): Promise<void> {
  const registration = await navigator.serviceWorker.ready;
  let subscription = await registration.pushManager.getSubscription();
  if (!subscription) {
    const key = fromBase64Url(await http.pushKey());
    subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  const json = subscription.toJSON();
  await http.subscribePush({
    device,
    subscription: { endpoint: subscription.endpoint, keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" } },
  });
}

/** Best effort on logout: this device stops getting pushes. */
export async function unsubscribePush(http: HttpClient, device: string): Promise<void> {
  try {
    await http.unsubscribePush(device);
    const registration = await navigator.serviceWorker?.getRegistration();
    await (await registration?.pushManager.getSubscription())?.unsubscribe();
  } catch {
    // Logging out must not depend on push.
  }
}

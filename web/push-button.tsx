import { useEffect, useState } from "preact/hooks";
import type { HttpClient } from "../src/client";
import { fromBase64Url } from "../src/accounts/encoding";
import { Icon, ICONS } from "./icon";

const supported = () => "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;

/** The "Enable notifications" control: asks permission, subscribes with the server's VAPID key, registers the subscription for this device. */
export function NotificationsButton({ http, device }: { http: HttpClient; device: string }) {
  const [label, setLabel] = useState("Enable notifications");
  const [disabled, setDisabled] = useState(!supported());
  useEffect(() => {
    if (supported() && Notification.permission === "granted") {
      subscribe(http, device).then(
        () => (setLabel("Notifications on"), setDisabled(true)),
        () => {},
      );
    }
  }, []);
  const click = async () => {
    setDisabled(true);
    try {
      if ((await Notification.requestPermission()) !== "granted") return setLabel("Notifications blocked");
      await subscribe(http, device);
      setLabel("Notifications on");
    } catch {
      setLabel("Notifications unavailable");
      setDisabled(false);
    }
  };
  return (
    <button type="button" class="secondary small" disabled={disabled} title={supported() ? undefined : "This browser cannot show push notifications"} onClick={click}>
      <Icon path={ICONS.bell} />
      <span>{label}</span>
    </button>
  );
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

import { useEffect, useState } from "preact/hooks";

const SHOW_AFTER_MS = 1200;

/**
 * "Offline: reconnecting…" while any socket the app needs is down. Shown
 * after a short delay so that a quick reconnect does not flash it.
 */
export function ConnectionBanner({ connected, pendingCount }: { connected: boolean; pendingCount: number }) {
  const [shown, setShown] = useState(false);
  useEffect(() => {
    if (connected) return setShown(false);
    const timer = setTimeout(() => setShown(true), SHOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [connected]);
  const text =
    pendingCount > 0
      ? `Offline: reconnecting… ${pendingCount} unsent ${pendingCount === 1 ? "message goes" : "messages go"} out when you are back.`
      : "Offline: reconnecting…";
  return (
    <div class="banner" role="status" hidden={!shown || connected}>
      {shown && !connected ? text : ""}
    </div>
  );
}

/**
 * "Offline: reconnecting…" while the SDK says the device is offline (the
 * browser's offline event, or no socket open for a second; unanswered pings
 * count). The SDK already waits out quick reconnects, so this shows at once.
 */
export function ConnectionBanner({ offline, pendingCount }: { offline: boolean; pendingCount: number }) {
  const text =
    pendingCount > 0
      ? `Offline: reconnecting… ${pendingCount} unsent ${pendingCount === 1 ? "message goes" : "messages go"} out when you are back.`
      : "Offline: reconnecting…";
  return (
    <div class="banner" role="status" hidden={!offline}>
      {offline ? text : ""}
    </div>
  );
}

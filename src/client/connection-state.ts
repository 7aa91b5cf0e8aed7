import { computed, effect, signal, type ReadonlySignal } from "@preact/signals-core";
import type { ConnectionStatus } from "./connection-status";

/**
 * What the user is told about the network: online (a socket is open),
 * connecting (the first connection, or a reconnect shorter than the grace),
 * offline (the browser says so, or no socket has been open for the grace).
 */
export type ConnectionState = "online" | "connecting" | "offline";

export interface ConnectionStateOptions {
  /** How long a reconnect may take before it shows as offline. */
  offlineAfterMs?: number;
  /** Listens to the browser's online and offline events; the default where they exist. */
  watchNetwork?: boolean;
}

/**
 * Derives the connection state from the statuses of the sockets that matter
 * and the browser's network events. `onOnline` runs when the browser says the
 * network is back, so sockets skip their backoff wait.
 */
export function connectionState(
  statuses: ReadonlySignal<readonly ConnectionStatus[]>,
  onOnline: () => void,
  options: ConnectionStateOptions = {},
): { state: ReadonlySignal<ConnectionState>; dispose: () => void } {
  const offlineAfterMs = options.offlineAfterMs ?? 1_000;
  const target = globalThis as { addEventListener?: (type: string, listener: () => void) => void; removeEventListener?: (type: string, listener: () => void) => void; navigator?: { onLine?: boolean } };
  const watch = (options.watchNetwork ?? true) && typeof target.addEventListener === "function";
  const networkUp = signal(watch ? target.navigator?.onLine !== false : true);
  const graceOver = signal(false);
  const anyOpen = computed(() => statuses.value.includes("open"));

  let timer: ReturnType<typeof setTimeout> | undefined;
  const stopGrace = effect(() => {
    clearTimeout(timer);
    // No socket yet is not offline: nothing has been tried.
    if (anyOpen.value || statuses.value.length === 0) graceOver.value = false;
    else timer = setTimeout(() => (graceOver.value = true), offlineAfterMs);
  });
  const online = () => {
    networkUp.value = true;
    onOnline();
  };
  const offline = () => (networkUp.value = false);
  if (watch) {
    target.addEventListener!("online", online);
    target.addEventListener!("offline", offline);
  }

  const state = computed<ConnectionState>(() => {
    if (!networkUp.value) return "offline";
    if (anyOpen.value) return "online";
    const list = statuses.value;
    if (list.length > 0 && list.every((s) => s === "closed")) return "offline";
    return graceOver.value ? "offline" : "connecting";
  });
  return {
    state,
    dispose() {
      stopGrace();
      clearTimeout(timer);
      if (watch) {
        target.removeEventListener?.("online", online);
        target.removeEventListener?.("offline", offline);
      }
    },
  };
}

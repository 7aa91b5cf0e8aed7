import type { Presence } from "../protocol";
import type { StateRow } from "./hub-db";

export interface SocketLiveness {
  /** Connecting counts as the first ping. */
  lastPingAt: number;
}

export interface PresenceTimings {
  heartbeatTimeoutMs: number;
  presenceGraceMs: number;
}

export interface PresenceDecision {
  online: boolean;
  lastSeenAt: number;
  goneAt: number | null;
  /** Sockets that missed their heartbeat: to be closed. */
  stale: number[];
  /** When to look again, or null if nothing can change without an event. */
  nextCheckAt: number | null;
}

/**
 * Online while some socket pinged within the heartbeat timeout; after the
 * last one goes (closed, or silent past the timeout), offline only once the
 * grace period has passed too, so a quick reconnect never flaps.
 */
export function decidePresence(state: StateRow, sockets: SocketLiveness[], now: number, t: PresenceTimings): PresenceDecision {
  const stale: number[] = [];
  let newestPing = 0;
  let nextExpiry = Infinity;
  sockets.forEach((s, i) => {
    const expiresAt = s.lastPingAt + t.heartbeatTimeoutMs;
    if (expiresAt <= now) stale.push(i);
    else nextExpiry = Math.min(nextExpiry, expiresAt);
    newestPing = Math.max(newestPing, s.lastPingAt);
  });
  const live = sockets.length - stale.length;
  if (live > 0) {
    return { online: true, lastSeenAt: Math.max(state.lastSeenAt, newestPing), goneAt: null, stale, nextCheckAt: nextExpiry };
  }
  const lastSeenAt = Math.max(state.lastSeenAt, newestPing);
  // A socket that went silent was gone from its deadline on, not from now.
  const goneAt = state.goneAt ?? (stale.length ? Math.min(now, newestPing + t.heartbeatTimeoutMs) : now);
  const offlineAt = goneAt + t.presenceGraceMs;
  if (!state.online) return { online: false, lastSeenAt, goneAt, stale, nextCheckAt: null };
  if (now >= offlineAt) return { online: false, lastSeenAt, goneAt, stale, nextCheckAt: null };
  return { online: true, lastSeenAt, goneAt, stale, nextCheckAt: offlineAt };
}

export function toPresence(state: StateRow, now: number): Presence {
  return { userId: state.userId, state: state.online ? "online" : "offline", lastSeenAt: state.online ? now : state.lastSeenAt };
}

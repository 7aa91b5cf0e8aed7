import * as v from "valibot";
import type { OutboxStorage, PendingSend } from "../src/client";
import { newDeviceId } from "../src/client";
import { UserSchema } from "../src/protocol";

/**
 * What the browser keeps: the session token in localStorage (shared by tabs),
 * and per tab a device id and the outbox in sessionStorage, so that two tabs
 * are two devices and a reload keeps unsent messages.
 */
const TOKEN_KEY = "chat.session";
const DEVICE_KEY = "chat.device";
const OUTBOX_KEY = "chat.outbox";

const StoredSessionSchema = v.object({ token: v.string(), user: UserSchema });
export type StoredSession = v.InferOutput<typeof StoredSessionSchema>;

export function loadSession(): StoredSession | null {
  try {
    const parsed = v.safeParse(StoredSessionSchema, JSON.parse(localStorage.getItem(TOKEN_KEY) ?? "null"));
    if (parsed.success) return parsed.output;
  } catch {
    // A corrupt entry is the same as none.
  }
  return null;
}

export function saveSession(session: StoredSession): void {
  localStorage.setItem(TOKEN_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(OUTBOX_KEY);
}

export function deviceId(): string {
  let id = sessionStorage.getItem(DEVICE_KEY);
  if (!id) sessionStorage.setItem(DEVICE_KEY, (id = newDeviceId("web")));
  return id;
}

export const outboxStorage: OutboxStorage = {
  load(): unknown[] {
    try {
      const parsed: unknown = JSON.parse(sessionStorage.getItem(OUTBOX_KEY) ?? "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  },
  save(entries: PendingSend[]): void {
    sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(entries));
  },
};

import { and, asc, eq, lte, min, ne } from "drizzle-orm";
import { MAX_PUSH_SUBSCRIPTIONS } from "../protocol";
import type { PushPayload } from "../push";
import type { HubDb } from "./hub-db";
import { pushQueue, pushSubscriptions } from "./schema";

/** One notification per channel per this long while the user stays offline; the latest message wins. */
export const PUSH_COALESCE_MS = 30_000;
const MAX_ATTEMPTS = 6;

export type Subscription = typeof pushSubscriptions.$inferSelect;
export type QueuedPush = typeof pushQueue.$inferSelect;

/**
 * Stores (or replaces) a device's subscription. Past MAX_PUSH_SUBSCRIPTIONS
 * the least recently used others go, so one user cannot make a message fan
 * out into any number of POSTs, and a new device always gets in.
 */
export function subscribe(db: HubDb, device: string, sub: { endpoint: string; keys: { p256dh: string; auth: string } }, now: number): void {
  const values = { endpoint: sub.endpoint, p256dh: sub.keys.p256dh, auth: sub.keys.auth, createdAt: now, lastUsedAt: now };
  db.insert(pushSubscriptions).values({ device, ...values }).onConflictDoUpdate({ target: pushSubscriptions.device, set: values }).run();
  const others = db
    .select({ device: pushSubscriptions.device })
    .from(pushSubscriptions)
    .where(ne(pushSubscriptions.device, device))
    .orderBy(asc(pushSubscriptions.lastUsedAt), asc(pushSubscriptions.createdAt))
    .all();
  for (const old of others.slice(0, Math.max(0, others.length - (MAX_PUSH_SUBSCRIPTIONS - 1)))) unsubscribe(db, old.device);
}

export function unsubscribe(db: HubDb, device: string): boolean {
  db.delete(pushQueue).where(eq(pushQueue.device, device)).run();
  return db.delete(pushSubscriptions).where(eq(pushSubscriptions.device, device)).returning().all().length > 0;
}

export function subscriptionOf(db: HubDb, device: string): Subscription | undefined {
  return db.select().from(pushSubscriptions).where(eq(pushSubscriptions.device, device)).get();
}

/**
 * Queues a notification for every subscribed device. A notification for the
 * same channel still waiting (coalesced) is replaced by the newer one, so a
 * busy channel sends one notification per window, carrying its latest message.
 */
export function enqueuePush(db: HubDb, payload: PushPayload, topic: string, urgency: string, notBefore: number): number {
  const devices = db.select({ device: pushSubscriptions.device }).from(pushSubscriptions).all();
  const body = JSON.stringify(payload);
  for (const { device } of devices) {
    const waiting = db
      .select()
      .from(pushQueue)
      .where(and(eq(pushQueue.device, device), eq(pushQueue.topic, topic), eq(pushQueue.attempts, 0)))
      .get();
    if (waiting) db.update(pushQueue).set({ payload: body, urgency }).where(eq(pushQueue.id, waiting.id)).run();
    else db.insert(pushQueue).values({ device, payload: body, urgency, topic, attempts: 0, nextAt: notBefore }).run();
  }
  return devices.length;
}

export function duePushes(db: HubDb, now: number): QueuedPush[] {
  return db.select().from(pushQueue).where(lte(pushQueue.nextAt, now)).orderBy(asc(pushQueue.id)).limit(50).all();
}

export function nextPushAt(db: HubDb): number | null {
  return db.select({ at: min(pushQueue.nextAt) }).from(pushQueue).get()?.at ?? null;
}

/** The user came online: what was waiting is no longer news. */
export function clearPushQueue(db: HubDb): void {
  db.delete(pushQueue).run();
}

export type PushOutcome = { status: number; retryAfterMs?: number } | "network-error" | "bad-subscription";

/**
 * Applies the push service's answer: delivered or refused for good → gone;
 * subscription expired (404/410) or keys that cannot encrypt → subscription
 * deleted; 429/5xx/network → retried with backoff (at least Retry-After), up
 * to MAX_ATTEMPTS. A delivery counts as a use of the subscription.
 */
export function settlePush(db: HubDb, item: QueuedPush, outcome: PushOutcome, now: number): void {
  if (outcome === "bad-subscription") {
    unsubscribe(db, item.device);
    return;
  }
  const status = outcome === "network-error" ? 0 : outcome.status;
  if (status === 404 || status === 410) {
    unsubscribe(db, item.device);
    return;
  }
  if (status >= 200 && status < 300) db.update(pushSubscriptions).set({ lastUsedAt: now }).where(eq(pushSubscriptions.device, item.device)).run();
  const retryable = status === 0 || status === 429 || status >= 500;
  if (!retryable || item.attempts + 1 >= MAX_ATTEMPTS) {
    db.delete(pushQueue).where(eq(pushQueue.id, item.id)).run();
    return;
  }
  const backoff = Math.min(10 * 60_000, 1000 * 2 ** item.attempts);
  const retryAfter = outcome === "network-error" ? 0 : (outcome.retryAfterMs ?? 0);
  db.update(pushQueue)
    .set({ attempts: item.attempts + 1, nextAt: now + Math.max(backoff, retryAfter) })
    .where(eq(pushQueue.id, item.id))
    .run();
}

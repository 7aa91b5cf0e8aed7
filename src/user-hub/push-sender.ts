import { eq } from "drizzle-orm";
import type { Env } from "../env";
import { idKey } from "../placement/signed-id";
import { PushEncryptionError, pushPayload, pushTopic, sendWebPush } from "../push";
import type { DeliveredMessage } from "../protocol";
import type { HubDb } from "./hub-db";
import { duePushes, enqueuePush, PUSH_COALESCE_MS, settlePush, subscriptionOf } from "./push-queue";
import { channels } from "./schema";

/** Push TTL: a phone that is off for a day still hears about the message. */
const PUSH_TTL_S = 24 * 3600;

/**
 * Queues the notification of a channel's latest message for an offline user:
 * at once if the channel has not pushed within the coalescing window, else at
 * the window's end, replacing whatever was waiting for that channel.
 */
export async function queueChannelPush(db: HubDb, key: CryptoKey, userId: string, channelId: string, message: DeliveredMessage, now: number): Promise<boolean> {
  const row = db.select({ lastPushAt: channels.lastPushAt }).from(channels).where(eq(channels.channelId, channelId)).get();
  const notBefore = Math.max(now, (row?.lastPushAt ?? 0) + PUSH_COALESCE_MS);
  const topic = await pushTopic(key, userId, channelId);
  const payload = pushPayload({ channelId, ...message });
  const devices = enqueuePush(db, payload, topic, "high", notBefore);
  if (devices > 0) db.update(channels).set({ lastPushAt: notBefore }).where(eq(channels.channelId, channelId)).run();
  return devices > 0;
}

/**
 * Queues a message that mentions an offline user at once, whatever the
 * channel's coalescing window: its own topic (per message) means nothing
 * replaces it, and the channel's window is left as it was.
 */
export async function queueMentionPush(db: HubDb, key: CryptoKey, userId: string, channelId: string, message: DeliveredMessage, now: number): Promise<boolean> {
  const topic = await pushTopic(key, userId, channelId, message.seq);
  const payload = { ...pushPayload({ channelId, ...message }), mention: true as const };
  return enqueuePush(db, payload, topic, "high", now) > 0;
}

/**
 * The pushes for an offline user's new messages: each mention of them at once,
 * and the latest message through the channel's coalescing (unless it was a mention).
 */
export async function queueChannelPushes(db: HubDb, env: Env, channelId: string, userId: string, fresh: DeliveredMessage[], now: number): Promise<boolean> {
  let queued = false;
  const key = await idKey(env);
  const mentioning = fresh.filter((m) => m.mentions?.includes(userId));
  for (const m of mentioning) queued = (await queueMentionPush(db, key, userId, channelId, m, now)) || queued;
  const latest = fresh.at(-1);
  if (latest && !mentioning.includes(latest)) queued = (await queueChannelPush(db, key, userId, channelId, latest, now)) || queued;
  return queued;
}

/** Sends what is due; each answer settles its queue row (sent, dropped, or retried later). */
export async function sendDuePushes(db: HubDb, env: Env, now: number): Promise<void> {
  const due = duePushes(db, now);
  if (due.length === 0) return;
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) {
    console.warn("push skipped: VAPID keys are not configured");
    for (const item of due) settlePush(db, item, { status: 400 }, now);
    return;
  }
  const vapid = { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT ?? "mailto:admin@example.com" };
  await Promise.all(
    due.map(async (item) => {
      const sub = subscriptionOf(db, item.device);
      if (!sub) return settlePush(db, item, { status: 410 }, now);
      try {
        const result = await sendWebPush(
          { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
          JSON.parse(item.payload),
          vapid,
          { ttl: PUSH_TTL_S, urgency: item.urgency as "high", topic: item.topic ?? undefined },
        );
        settlePush(db, item, result, Date.now());
      } catch (err) {
        // Keys that cannot encrypt never will: the subscription goes instead of being retried.
        settlePush(db, item, err instanceof PushEncryptionError ? "bad-subscription" : "network-error", Date.now());
      }
    }),
  );
}

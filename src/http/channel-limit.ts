import { readConfig } from "../config";
import type { Env } from "../env";
import { AppError } from "../errors";
import type { User } from "../protocol";
import { userHub } from "../user-hub/stub";

/**
 * MAX_CHANNELS_PER_USER, checked against each user's UserHub before a channel
 * is created or a member added. The hub learns of new channels through the
 * room's outbox, so concurrent creations can overshoot by the few in flight.
 */
export async function assertRoomForChannel(env: Env, selfId: string, users: readonly User[]): Promise<void> {
  const max = readConfig(env).maxChannelsPerUser;
  const counts = await Promise.all(users.map(async (u) => ({ u, n: await channelCount(env, u.id) })));
  const full = counts.find(({ n }) => n >= max);
  if (!full) return;
  throw new AppError(
    "channel_limit",
    full.u.id === selfId ? `you are in ${max} channels, the most allowed` : `${full.u.handle} is in ${max} channels, the most allowed`,
  );
}

async function channelCount(env: Env, userId: string): Promise<number> {
  return userHub(env, userId).channelCount(userId);
}

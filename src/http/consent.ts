import { readConfig } from "../config";
import type { Env } from "../env";
import { AppError, unwrap } from "../errors";
import type { User } from "../protocol";
import { userHub } from "../user-hub/stub";

/** Nobody is put in a channel by someone they blocked: 403 `forbidden`, naming who. */
export async function assertNotBlockedBy(env: Env, actorId: string, users: readonly User[]): Promise<void> {
  const refusing = await Promise.all(users.map(async (u) => ((await userHub(env, u.id).hasBlocked(actorId)) ? u : undefined)));
  const blocker = refusing.find((u) => u !== undefined);
  if (blocker) throw new AppError("forbidden", `${blocker.handle} does not accept channels or messages from you`);
}

/**
 * MAX_CHANNELS_PER_USER: the user creating or opening a channel reserves it
 * in their own hub, which counts only channels they created or spoke in
 * (channel_limit when full). Others put in the channel are not counted.
 */
export async function reserveChannel(env: Env, userId: string, channelId: string): Promise<void> {
  unwrap(await userHub(env, userId).reserveChannel(userId, channelId, readConfig(env).maxChannelsPerUser));
}

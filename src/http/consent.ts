import { readConfig } from "../config";
import type { Env } from "../env";
import { AppError, unwrap, type Result } from "../errors";
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
 * (channel_limit when full), then `create` runs. A reservation that was new
 * is released when the creation fails, so a failure never keeps counting.
 * Others put in the channel are not counted.
 */
export async function createReserved<T>(env: Env, userId: string, channelId: string, create: () => Promise<Result<T>>): Promise<T> {
  const hub = userHub(env, userId);
  const fresh = unwrap(await hub.reserveChannel(userId, channelId, readConfig(env).maxChannelsPerUser));
  const result = await create().catch(async (err: unknown) => {
    if (fresh) await hub.releaseChannel(userId, channelId);
    throw err;
  });
  if (!result.ok && fresh) await hub.releaseChannel(userId, channelId);
  return unwrap(result);
}

import type { Env } from "../env";
import { placedStub } from "../placement/placed-stub";

/** The one ChannelRoom of a channel, placed where its id says. */
export function channelRoom(env: Pick<Env, "CHANNEL_ROOM"> & { JURISDICTION?: string }, channelId: string) {
  return placedStub(env.CHANNEL_ROOM, env, channelId);
}

import type { Env } from "../env";

/** The one ChannelRoom of a channel. */
export function channelRoom(env: Pick<Env, "CHANNEL_ROOM">, channelId: string) {
  return env.CHANNEL_ROOM.get(env.CHANNEL_ROOM.idFromName(channelId));
}

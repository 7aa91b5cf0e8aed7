import type { Env } from "../env";

/** The one UserHub of a user. */
export function userHub(env: Pick<Env, "USER_HUB">, userId: string) {
  return env.USER_HUB.get(env.USER_HUB.idFromName(userId));
}

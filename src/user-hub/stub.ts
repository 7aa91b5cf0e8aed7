import type { Env } from "../env";
import { placedStub } from "../placement/placed-stub";

/** The one UserHub of a user, placed where their id says (their region at signup). */
export function userHub(env: Pick<Env, "USER_HUB"> & { JURISDICTION?: string }, userId: string) {
  return placedStub(env.USER_HUB, env, userId);
}

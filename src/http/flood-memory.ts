import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { floodBenchError } from "../budgets/flood-bench";
import { tokenFrom } from "./auth-middleware";

/**
 * The Worker isolate's memory of sockets it closed for flooding (4429): the
 * same token opening the same socket path again is refused here, before its
 * session is looked up in D1 and before the object is asked. The object
 * benches the user too (FloodBench) and stays the authority: another
 * isolate, or this one after a restart, simply asks it. Locally a refused
 * reconnect cost 5.3 ms of the Worker's CPU that way, and a flooder's
 * reconnect loop is the flood after the flood. Capped, oldest first.
 */
const MAX_REMEMBERED = 10_000;
const benched = new Map<string, number>();

/** Who opened this socket: its path and bearer token (null without a token: it is refused by auth anyway). */
function flooderKey(req: Request): string | null {
  const token = tokenFrom(req);
  return token === null ? null : `${new URL(req.url).pathname}\n${token}`;
}

/** This upgrade's socket was closed for flooding: the same token and path wait `ms`. */
export function rememberFlooder(req: Request, ms: number, now = Date.now()): void {
  const key = flooderKey(req);
  if (key === null) return;
  if (benched.size >= MAX_REMEMBERED) benched.delete(benched.keys().next().value!);
  benched.set(key, now + ms);
}

/** 429 for a socket upgrade this isolate knows is sitting out a flood; anything else goes on to auth. */
export const refuseKnownFlooder = createMiddleware<AppEnv>(async (c, next) => {
  const key = flooderKey(c.req.raw);
  const until = key === null ? undefined : benched.get(key);
  if (until !== undefined) {
    const now = Date.now();
    if (now < until) throw floodBenchError(until - now);
    benched.delete(key!);
  }
  await next();
});

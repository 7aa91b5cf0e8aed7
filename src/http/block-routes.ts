import { Hono } from "hono";
import { dmChannelId, encryptedDmChannelId } from "../channel-room/channel-id";
import { channelRoom } from "../channel-room/stub";
import type { AppEnv, Env } from "../env";
import { AppError, unwrap } from "../errors";
import { BlockBody, HandleParam, UserResponse, UsersResponse } from "../protocol";
import { getUserByHandle, getUserById } from "../accounts/users";
import { idKey } from "../placement/signed-id";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

/**
 * The pair's DMs that exist for the blocker (plaintext and encrypted) hear of
 * the block, so the blocked user's sends there are refused. Only DMs the
 * blocker's hub holds are named: no room is created by a block.
 */
async function tellDms(env: Env, blockerId: string, blockedId: string, on: boolean): Promise<void> {
  const key = await idKey(env);
  const hub = userHub(env, blockerId);
  const ids = await Promise.all([dmChannelId(key, blockerId, blockedId), encryptedDmChannelId(key, blockerId, blockedId)]);
  await Promise.all(ids.map(async (id) => {
    if (await hub.hasChannel(blockerId, id)) await channelRoom(env, id).setPeerBlock(blockerId, on);
  }));
}

/** Blocks (docs/protocol.md "Blocks"): whom the caller refuses DMs, channels and pushes from. */
export const blockRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", doc({ tag: "Users", summary: "Users I blocked, oldest block first", answers: { 200: UsersResponse } }), async (c) => {
    const ids = await userHub(c.env, c.var.userId).blockedIds(c.var.userId);
    const found = await Promise.allSettled(ids.map((id) => getUserById(c.var.db, id)));
    return c.json({ users: found.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])) });
  })
  .post("/", doc({ tag: "Users", summary: "Block a user (201 when new)", answers: { 200: UserResponse, 201: UserResponse }, errors: ["not_found", "rate_limited"] }), validate("json", BlockBody), async (c) => {
    const user = await getUserByHandle(c.var.db, c.req.valid("json").handle);
    if (user.id === c.var.userId) throw new AppError("bad_request", "you cannot block yourself");
    const hub = userHub(c.env, c.var.userId);
    unwrap(await hub.spend("block"));
    const added = await hub.block(c.var.userId, user.id);
    await tellDms(c.env, c.var.userId, user.id, true);
    return c.json({ user }, added ? 201 : 200);
  })
  .delete("/:handle", doc({ tag: "Users", summary: "Unblock a user", answers: { 204: null }, errors: ["not_found", "rate_limited"] }), validate("param", HandleParam), async (c) => {
    const user = await getUserByHandle(c.var.db, c.req.valid("param").handle);
    const hub = userHub(c.env, c.var.userId);
    unwrap(await hub.spend("block"));
    if (await hub.unblock(c.var.userId, user.id)) await tellDms(c.env, c.var.userId, user.id, false);
    return c.body(null, 204);
  });

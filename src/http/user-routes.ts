import { Hono } from "hono";
import type { AppEnv } from "../env";
import { HandleParam, MAX_USER_SEARCH, PatchMeBody, UserSearchQuery } from "../protocol";
import { getUserByHandle, getUserById, searchUsers, updateDisplayName } from "../accounts/users";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";

export const meRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", async (c) => c.json({ user: await getUserById(c.var.db, c.var.userId) }))
  .patch("/", validate("json", PatchMeBody), async (c) => {
    const user = await updateDisplayName(c.var.db, c.var.userId, c.req.valid("json").displayName);
    await userHub(c.env, user.id).profileChanged(user);
    return c.json({ user });
  });

export const userRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", validate("query", UserSearchQuery), async (c) => {
    const q = c.req.valid("query").q.trim().toLowerCase();
    return c.json({ users: await searchUsers(c.var.db, q, MAX_USER_SEARCH) });
  })
  .get("/:handle", validate("param", HandleParam), async (c) => {
    return c.json({ user: await getUserByHandle(c.var.db, c.req.valid("param").handle) });
  });

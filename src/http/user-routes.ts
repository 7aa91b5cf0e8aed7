import { Hono } from "hono";
import type { AppEnv } from "../env";
import { unwrap } from "../errors";
import { HandleParam, MAX_USER_SEARCH, PatchMeBody, UserRefsResponse, UserResponse, UserSearchQuery } from "../protocol";
import { getUserByHandle, getUserById, searchUsers, updateDisplayName } from "../accounts/users";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";
import { EXAMPLES } from "./api-docs/examples";

export const meRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", doc({ tag: "Users", summary: "Who I am", answers: { 200: UserResponse }, examples: { 200: EXAMPLES.user } }), async (c) => c.json({ user: await getUserById(c.var.db, c.var.userId) }))
  .patch("/", doc({ tag: "Users", summary: "Change my display name", answers: { 200: UserResponse }, errors: ["rate_limited"], examples: { 200: EXAMPLES.user } }), validate("json", PatchMeBody), async (c) => {
    unwrap(await userHub(c.env, c.var.userId).spend("profile"));
    const user = await updateDisplayName(c.var.db, c.var.userId, c.req.valid("json").displayName);
    await userHub(c.env, user.id).profileChanged(user);
    return c.json({ user });
  });

export const userRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/", doc({ tag: "Users", summary: "People search: handles, then display names, starting with q (at most 20)", answers: { 200: UserRefsResponse }, errors: ["rate_limited"] }), validate("query", UserSearchQuery), async (c) => {
    unwrap(await userHub(c.env, c.var.userId).spend("userSearch"));
    return c.json({ users: await searchUsers(c.var.db, c.req.valid("query").q, MAX_USER_SEARCH) });
  })
  .get("/:handle", doc({ tag: "Users", summary: "A user by handle", answers: { 200: UserResponse }, errors: ["not_found"], examples: { 200: EXAMPLES.user } }), validate("param", HandleParam), async (c) => {
    return c.json({ user: await getUserByHandle(c.var.db, c.req.valid("param").handle) });
  });

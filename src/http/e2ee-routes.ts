import { Hono } from "hono";
import * as v from "valibot";
import { getUserByHandle } from "../accounts/users";
import type { AppEnv } from "../env";
import { checkKeyPackage } from "../mls/wire";
import { ChannelIdSchema, ClaimKeyPackagesBody, DeviceSchema, KeyPackagesBody } from "../protocol";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";

/** KeyPackages and Welcomes of end-to-end encrypted channels (docs/protocol.md). */
export const e2eeRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .post("/key-packages", validate("json", KeyPackagesBody), async (c) => {
    const { device, keyPackages, lastResort } = c.req.valid("json");
    // Every package is checked before any is kept: a bad one changes nothing.
    for (const kp of [...keyPackages, ...(lastResort === undefined ? [] : [lastResort])]) checkKeyPackage(kp, c.var.userId, device);
    const count = await userHub(c.env, c.var.userId).publishKeyPackages(c.var.userId, device, keyPackages, lastResort);
    return c.json({ device, count }, 201);
  })
  .get("/key-packages", validate("query", v.object({ device: DeviceSchema })), async (c) => {
    return c.json(await userHub(c.env, c.var.userId).keyPackageCount(c.var.userId, c.req.valid("query").device));
  })
  .post("/key-packages/claim", validate("json", ClaimKeyPackagesBody), async (c) => {
    const user = await getUserByHandle(c.var.db, c.req.valid("json").handle);
    return c.json({ userId: user.id, keyPackages: await userHub(c.env, user.id).claimKeyPackages(user.id) });
  })
  .get("/welcomes", validate("query", v.object({ channelId: v.optional(ChannelIdSchema) })), async (c) => {
    return c.json({ welcomes: await userHub(c.env, c.var.userId).welcomes(c.var.userId, c.req.valid("query").channelId) });
  });

import { Hono } from "hono";
import * as v from "valibot";
import { getUserByHandle, getUserById } from "../accounts/users";
import type { AppEnv } from "../env";
import { unwrap } from "../errors";
import { checkKeyPackage } from "../mls/wire";
import { ChannelIdSchema, ClaimKeyPackagesBody, ClaimKeyPackagesResponse, DeviceSchema, KeyPackageCountResponse, KeyPackagesBody, KeyPackagesPublishedResponse, WelcomesResponse } from "../protocol";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

/** KeyPackages and Welcomes of end-to-end encrypted channels (docs/protocol.md). */
export const e2eeRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .post("/key-packages", doc({ tag: "End-to-end encryption", summary: "Publish this device's KeyPackages", answers: { 201: KeyPackagesPublishedResponse } }), validate("json", KeyPackagesBody), async (c) => {
    const { device, keyPackages, lastResort } = c.req.valid("json");
    // Every package is checked before any is kept: a bad one changes nothing.
    for (const kp of [...keyPackages, ...(lastResort === undefined ? [] : [lastResort])]) checkKeyPackage(kp, c.var.userId, device);
    const count = await userHub(c.env, c.var.userId).publishKeyPackages(c.var.userId, device, keyPackages, lastResort);
    return c.json({ device, count }, 201);
  })
  .get("/key-packages", doc({ tag: "End-to-end encryption", summary: "How many KeyPackages this device has left", answers: { 200: KeyPackageCountResponse } }), validate("query", v.object({ device: DeviceSchema })), async (c) => {
    return c.json(await userHub(c.env, c.var.userId).keyPackageCount(c.var.userId, c.req.valid("query").device));
  })
  .delete("/key-packages", doc({ tag: "End-to-end encryption", summary: "Drop this device's KeyPackages (it logs out), so no commit adds it again", answers: { 200: KeyPackageCountResponse } }), validate("query", v.object({ device: DeviceSchema })), async (c) => {
    return c.json(await userHub(c.env, c.var.userId).dropKeyPackages(c.var.userId, c.req.valid("query").device));
  })
  .post("/key-packages/claim", doc({ tag: "End-to-end encryption", summary: "Claim one KeyPackage of each device of a user", answers: { 200: ClaimKeyPackagesResponse }, errors: ["not_found", "rate_limited"] }), validate("json", ClaimKeyPackagesBody), async (c) => {
    // The claimer pays: each claim consumes one of the target's KeyPackages per device.
    unwrap(await userHub(c.env, c.var.userId).spend("keyPackageClaim"));
    const { handle, userId, except } = c.req.valid("json");
    const user = handle === undefined ? await getUserById(c.var.db, userId!) : await getUserByHandle(c.var.db, handle);
    return c.json({ userId: user.id, keyPackages: await userHub(c.env, user.id).claimKeyPackages(user.id, except) });
  })
  .get("/welcomes", doc({ tag: "End-to-end encryption", summary: "MLS Welcomes waiting for me", answers: { 200: WelcomesResponse } }), validate("query", v.object({ channelId: v.optional(ChannelIdSchema) })), async (c) => {
    return c.json({ welcomes: await userHub(c.env, c.var.userId).welcomes(c.var.userId, c.req.valid("query").channelId) });
  });

import { Hono } from "hono";
import { readConfig } from "../config";
import type { AppEnv } from "../env";
import { AppError, unwrap } from "../errors";
import { DeviceParam, PushKeyResponse, PushSubscriptionBody } from "../protocol";
import { checkPushEndpoint, checkPushKeys } from "../push";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

export const pushRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/key", doc({ tag: "Push", summary: "The VAPID application server key", answers: { 200: PushKeyResponse }, errors: ["not_found"] }), (c) => {
    if (!c.env.VAPID_PUBLIC_KEY) throw new AppError("not_found", "push is not configured on this server");
    return c.json({ publicKey: c.env.VAPID_PUBLIC_KEY });
  })
  .post("/subscriptions", doc({ tag: "Push", summary: "Subscribe this device to Web Push (at most 10 per user: the least recently used goes)", answers: { 201: null }, errors: ["rate_limited"] }), validate("json", PushSubscriptionBody), async (c) => {
    const { device, subscription } = c.req.valid("json");
    checkPushEndpoint(subscription.endpoint, readConfig(c.env).pushInsecureEndpoints);
    await checkPushKeys(subscription.keys);
    unwrap(await userHub(c.env, c.var.userId).subscribePush(c.var.userId, device, subscription));
    return c.body(null, 201);
  })
  .delete("/subscriptions/:device", doc({ tag: "Push", summary: "Unsubscribe a device", answers: { 204: null } }), validate("param", DeviceParam), async (c) => {
    await userHub(c.env, c.var.userId).unsubscribePush(c.var.userId, c.req.valid("param").device);
    return c.body(null, 204);
  });

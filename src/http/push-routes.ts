import { Hono } from "hono";
import { readConfig } from "../config";
import type { AppEnv } from "../env";
import { AppError, unwrap } from "../errors";
import { DeviceParam, PushSubscriptionBody } from "../protocol";
import { checkPushEndpoint } from "../push";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { validate } from "./validate";

export const pushRoutes = new Hono<AppEnv>()
  .use(requireAuth)
  .get("/key", (c) => {
    if (!c.env.VAPID_PUBLIC_KEY) throw new AppError("not_found", "push is not configured on this server");
    return c.json({ publicKey: c.env.VAPID_PUBLIC_KEY });
  })
  .post("/subscriptions", validate("json", PushSubscriptionBody), async (c) => {
    const { device, subscription } = c.req.valid("json");
    checkPushEndpoint(subscription.endpoint, readConfig(c.env).pushInsecureEndpoints);
    unwrap(await userHub(c.env, c.var.userId).subscribePush(c.var.userId, device, subscription));
    return c.body(null, 201);
  })
  .delete("/subscriptions/:device", validate("param", DeviceParam), async (c) => {
    await userHub(c.env, c.var.userId).unsubscribePush(c.var.userId, c.req.valid("param").device);
    return c.body(null, 204);
  });

import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../env";
import { idKey, verifyId } from "../placement/signed-id";
import { DeviceSchema, MissedResponse, PresenceQuery, PresenceResponse, type Presence } from "../protocol";
import { userHub } from "../user-hub/stub";
import { requireAuth } from "./auth-middleware";
import { refuseKnownFlooder } from "./flood-memory";
import { forwardUpgrade } from "./forward-socket";
import { validate } from "./validate";
import { doc } from "./api-docs/route-doc";

export const inboxRoutes = new Hono<AppEnv>()
  // Before auth: a flooder's reconnect loop is refused without a D1 read.
  .use("/socket", refuseKnownFlooder)
  .use(requireAuth)
  .get("/socket", doc({ tag: "Sockets", summary: "Open the inbox stream (WebSocket; frames in /api/asyncapi.json)", answers: { 101: null }, errors: ["forbidden", "rate_limited"] }), (c) => forwardUpgrade(c, userHub(c.env, c.var.userId)))
  /** What a device missed while away: per channel, its cursor and the channel's last seq. */
  .get("/missed", doc({ tag: "Inbox", summary: "Channels where this device's cursor is behind", answers: { 200: MissedResponse } }), validate("query", v.object({ device: DeviceSchema })), async (c) => {
    return c.json({ channels: await userHub(c.env, c.var.userId).missed(c.var.userId, c.req.valid("query").device) });
  });

export const presenceRoutes = new Hono<AppEnv>().use(requireAuth).get("/", doc({ tag: "Inbox", summary: "Presence of users", answers: { 200: PresenceResponse } }), validate("query", PresenceQuery), async (c) => {
  const ids = [...new Set(c.req.valid("query").ids)];
  const key = await idKey(c.env);
  // An id the service never minted has no hub to ask, and gets none: it answers as a user never seen.
  const presence = ids.map(async (id): Promise<Presence> => ((await verifyId(key, id, ["u"])) ? userHub(c.env, id).presence(id) : { userId: id, state: "offline", lastSeenAt: 0 }));
  return c.json({ presence: await Promise.all(presence) });
});

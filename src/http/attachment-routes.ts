import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { drain, declaredLength } from "../attachments/body";
import { receiveThumbnail } from "../attachments/thumbnail-upload";
import { mimeType, receiveUpload } from "../attachments/upload";
import { channelRoom } from "../channel-room/stub";
import { readConfig } from "../config";
import type { AppEnv } from "../env";
import { AttachmentIdSchema, ChannelIdSchema, MAX_THUMBNAIL_BYTES, UploadQuery, UploadResponse } from "../protocol";
import { doc } from "./api-docs/route-doc";
import { requireAuth } from "./auth-middleware";
import { d1Session } from "./d1-session";
import { knownChannel } from "./known-channel";
import { validate } from "./validate";

/** A refused upload still reads its body: under wrangler dev an early answer to a large unread body loses the connection. */
const drainWhenRefused = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  if (c.res.status >= 400) await drain(c.req.raw);
});

const channelParam = validate("param", v.object({ id: ChannelIdSchema }), "not_found");
const attachmentParam = validate("param", v.object({ id: ChannelIdSchema, attachmentId: AttachmentIdSchema }), "not_found");

/**
 * Uploads, under `/channels`. Mounted ahead of the JSON body limit: these
 * bodies are files, limited by MAX_ATTACHMENT_BYTES and streamed to R2.
 * Session and auth are per route, so other `/channels` routes do not run them twice.
 */
export const attachmentRoutes = new Hono<AppEnv>()
  .post("/:id/attachments", doc({ tag: "Attachments", summary: "Upload a file or photo (the raw file as the body)", answers: { 201: UploadResponse }, errors: ["not_found", "too_large", "quota_exceeded"] }), drainWhenRefused, d1Session, requireAuth, knownChannel, channelParam, validate("query", UploadQuery), async (c) => {
    const channelId = c.req.valid("param").id;
    const { name, thumbnail } = c.req.valid("query");
    const length = declaredLength(c.req.raw, readConfig(c.env).maxAttachmentBytes);
    const attachment = await receiveUpload(c.env, channelRoom(c.env, channelId), {
      channelId,
      userId: c.var.userId,
      name,
      type: mimeType(c.req.header("Content-Type") ?? null),
      length,
      body: c.req.raw.body,
      serverThumbnail: thumbnail !== "client",
    });
    return c.json({ attachment }, 201);
  })
  .put("/:id/attachments/:attachmentId/thumbnail", doc({ tag: "Attachments", summary: "A client-made thumbnail for my unsent upload", answers: { 204: null }, errors: ["not_found", "too_large"] }), drainWhenRefused, d1Session, requireAuth, knownChannel, attachmentParam, async (c) => {
    const { id: channelId, attachmentId } = c.req.valid("param");
    await receiveThumbnail(c.env, channelRoom(c.env, channelId), {
      channelId,
      attachmentId,
      userId: c.var.userId,
      type: mimeType(c.req.header("Content-Type") ?? null),
      length: declaredLength(c.req.raw, MAX_THUMBNAIL_BYTES),
      body: c.req.raw.body,
    });
    return c.body(null, 204);
  });

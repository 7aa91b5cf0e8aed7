import { Hono } from "hono";
import { serveFile } from "../attachments/download";
import { attachmentKey } from "../attachments/keys";
import { verifySignature } from "../attachments/signed-url";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { FileParam, FileQuery } from "../protocol";
import { doc } from "./api-docs/route-doc";
import { validate } from "./validate";

/**
 * Signed downloads: no session, so an `<img>` can load them. The signature
 * (from a message the caller could read) is the permission; it names the
 * channel, attachment and variant, and expires.
 */
export const fileRoutes = new Hono<AppEnv>().get(
  "/:channelId/:attachmentId/:variant",
  doc({ tag: "Attachments", summary: "Download an attachment or its thumbnail by its signed link (no token)", answers: { 200: null, 206: null }, errors: ["forbidden", "not_found"], public: true }),
  validate("param", FileParam, "not_found"),
  validate("query", FileQuery, "forbidden"),
  async (c) => {
    const { channelId, attachmentId, variant } = c.req.valid("param");
    const { e, s } = c.req.valid("query");
    const now = Date.now();
    if (!verifySignature(c.env.ATTACHMENT_URL_KEY, channelId, attachmentId, variant, e, s, now)) {
      throw new AppError("forbidden", "this link is invalid or has expired");
    }
    return serveFile(c.env.ATTACHMENTS, attachmentKey(channelId, attachmentId, variant), variant, c.req.raw, e, now);
  },
);

import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { openSession } from "../accounts/db";
import type { AppEnv } from "../env";
import { BOOKMARK_HEADER, BookmarkSchema } from "../protocol";
import { badRequest } from "./validate";

/**
 * Every request reads D1 through one Sessions API session: from a nearby
 * replica, but never older than the bookmark the client sent back, so a user
 * always reads their own writes. The session's latest bookmark goes back on
 * the response (not on a 101: an upgrade's headers are the object's).
 */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const sent = c.req.header(BOOKMARK_HEADER);
  const bookmark = sent === undefined ? undefined : v.safeParse(BookmarkSchema, sent);
  if (bookmark && !bookmark.success) throw badRequest(bookmark.issues);
  const { db, session } = openSession(c.env.DB, bookmark?.output);
  c.set("db", db);
  c.set("d1", session);
  await next();
  const latest = session.getBookmark();
  if (latest && c.res.status !== 101) c.header(BOOKMARK_HEADER, latest);
});

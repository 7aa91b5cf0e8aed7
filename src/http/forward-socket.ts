import type { Context } from "hono";
import * as v from "valibot";
import { readConfig } from "../config";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { BOOKMARK_HEADER, SocketQuery } from "../protocol";
import { FORWARDED } from "../sockets/attachment";
import { relaySocket } from "../sockets/relay";
import { rememberFlooder } from "./flood-memory";
import { badRequest } from "./validate";

/**
 * The Worker authenticates a WebSocket upgrade and hands the request to the
 * object that will hold the socket (so it can hibernate), with the caller's
 * identity in headers only the Worker can set.
 */
export async function forwardUpgrade(c: Context<AppEnv>, target: { fetch(req: Request): Promise<Response> }): Promise<Response> {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") throw new AppError("bad_request", "this endpoint expects a WebSocket upgrade");
  assertOriginAllowed(c.req.raw, readConfig(c.env).allowedOrigins);
  const query = v.safeParse(SocketQuery, { device: c.req.query("device"), batch: c.req.query("batch") });
  if (!query.success) throw badRequest(query.issues);
  const headers = new Headers(c.req.raw.headers);
  headers.set(FORWARDED.user, c.var.userId);
  headers.set(FORWARDED.session, c.var.sessionId);
  headers.set(FORWARDED.device, query.output.device);
  // Set over whatever the client sent, so the socket ends with the session the Worker checked.
  headers.set(FORWARDED.expires, String(c.var.sessionExpiresAt));
  if (query.output.batch) headers.set(FORWARDED.batch, query.output.batch);
  else headers.delete(FORWARDED.batch);
  // The object reads D1 (the inbox's profile) at least as fresh as this request did.
  const bookmark = c.var.d1.getBookmark();
  if (bookmark) headers.set(BOOKMARK_HEADER, bookmark);
  else headers.delete(BOOKMARK_HEADER);
  const config = readConfig(c.env);
  const upstream = await target.fetch(new Request(c.req.raw.url, { method: "GET", headers }));
  return config.socketRelay ? relaySocket(upstream, config.socketFrameBudget, () => rememberFlooder(c.req.raw, config.floodBenchMs)) : upstream;
}

/**
 * Defence in depth against cross-site WebSocket hijacking: sockets need a
 * bearer token, not a cookie, but a browser upgrade from a foreign page is
 * still refused. No `Origin` means a non-browser client, which is allowed.
 */
export function assertOriginAllowed(req: Request, allowed: readonly string[]): void {
  const origin = req.headers.get("Origin");
  if (origin === null) return;
  if (origin === new URL(req.url).origin || allowed.includes(origin)) return;
  throw new AppError("forbidden", "this origin may not open sockets here");
}

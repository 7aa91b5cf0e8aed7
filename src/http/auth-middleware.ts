import { createMiddleware } from "hono/factory";
import { findSession } from "../accounts/sessions";
import { openDb } from "../accounts/db";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

const BEARER_PROTOCOL = /^bearer\.(.+)$/;

/** The token from `Authorization: Bearer`, or from the `bearer.<token>` WebSocket subprotocol. */
export function tokenFrom(req: Request): string | null {
  const auth = req.headers.get("Authorization");
  if (auth?.startsWith("Bearer ")) return auth.slice(7).trim();
  const protocols = req.headers.get("Sec-WebSocket-Protocol");
  if (protocols) {
    for (const p of protocols.split(",")) {
      const m = BEARER_PROTOCOL.exec(p.trim());
      if (m) return m[1]!;
    }
  }
  return null;
}

/** Sets `userId`, `sessionId` and `sessionExpiresAt` on the context, or refuses with 401. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = tokenFrom(c.req.raw);
  let session = token ? await findSession(c.var.db, token) : null;
  // A replica may not have a brand-new session yet (a browser socket carries no bookmark): ask the primary before refusing.
  if (token && !session) session = await findSession(openDb(c.env.DB.withSession("first-primary")), token);
  if (!session) throw new AppError("unauthorized", "a valid session token is required");
  c.set("userId", session.userId);
  c.set("sessionId", session.sessionId);
  c.set("sessionExpiresAt", session.expiresAt);
  await next();
});

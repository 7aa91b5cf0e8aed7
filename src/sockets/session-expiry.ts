import { eq } from "drizzle-orm";
import { openSession } from "../accounts/db";
import { sessions } from "../accounts/schema";
import type { Env } from "../env";

/**
 * When a socket's session expires, read from D1 at least as fresh as the
 * Worker's own check (its bookmark). A session the read cannot find (it was
 * just revoked) gets the longest life a session can have from now, so the
 * socket still closes by then at the latest (logout closes it at once anyway).
 */
export async function sessionExpiry(env: Env, sessionId: string, bookmark: string | undefined, ttlMs: number, now = Date.now()): Promise<number> {
  try {
    const { db } = openSession(env.DB, bookmark);
    const row = await db.select({ expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.id, sessionId)).get();
    return row?.expiresAt ?? now + ttlMs;
  } catch {
    // D1 unreachable: the socket is not refused for it, and still ends by the longest life.
    return now + ttlMs;
  }
}

import { and, eq, gt } from "drizzle-orm";
import type { Db } from "./db";
import { sessions } from "./schema";
import { randomBytes, sha256Hex, toBase64Url } from "./encoding";

/** 256-bit random bearer tokens; D1 keeps only their SHA-256. */
export async function createSession(db: Db, userId: string, ttlMs: number, now = Date.now()): Promise<{ token: string; sessionId: string }> {
  const token = toBase64Url(randomBytes(32));
  const sessionId = await sha256Hex(token);
  await db.insert(sessions).values({ id: sessionId, userId, createdAt: now, expiresAt: now + ttlMs });
  return { token, sessionId };
}

export async function findSession(db: Db, token: string, now = Date.now()): Promise<{ userId: string; sessionId: string; expiresAt: number } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const sessionId = await sha256Hex(token);
  const row = await db
    .select({ userId: sessions.userId, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.id, sessionId), gt(sessions.expiresAt, now)))
    .get();
  return row ? { userId: row.userId, sessionId, expiresAt: row.expiresAt } : null;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Logout everywhere: every session of the user goes at once. */
export async function deleteUserSessions(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

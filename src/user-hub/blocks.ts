import { asc, eq } from "drizzle-orm";
import type { HubDb } from "./hub-db";
import { blocks } from "./schema";
import { statements } from "./statements";

/** Blocks `targetId`; true if it was not blocked before. */
export function block(db: HubDb, targetId: string, now: number): boolean {
  return db.insert(blocks).values({ userId: targetId, createdAt: now }).onConflictDoNothing().returning().all().length > 0;
}

/** Unblocks `targetId`; true if it was blocked. */
export function unblock(db: HubDb, targetId: string): boolean {
  return db.delete(blocks).where(eq(blocks.userId, targetId)).returning().all().length > 0;
}

export function hasBlocked(db: HubDb, targetId: string): boolean {
  return statements(db).blocked.get({ userId: targetId }) !== undefined;
}

/** Blocked users' ids, oldest block first. */
export function blockedIds(db: HubDb): string[] {
  return db.select({ id: blocks.userId }).from(blocks).orderBy(asc(blocks.createdAt)).all().map((r) => r.id);
}

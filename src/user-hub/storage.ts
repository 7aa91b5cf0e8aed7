import { and, eq, sql } from "drizzle-orm";
import { AppError } from "../errors";
import { inList } from "../channel-room/seq-list";
import type { HubDb } from "./hub-db";
import { storedFiles } from "./schema";

/** Bytes this user keeps across all channels (uploads not yet sent count). */
export function storageUsed(db: HubDb): number {
  return db.select({ n: sql<number>`coalesce(sum(${storedFiles.size}), 0)` }).from(storedFiles).get()?.n ?? 0;
}

/** Books an upload against the user's quota; booking the same one again changes nothing. */
export function reserveStorage(db: HubDb, channelId: string, attachmentId: string, size: number, quotaBytes: number): void {
  const held = db.select().from(storedFiles).where(and(eq(storedFiles.channelId, channelId), eq(storedFiles.attachmentId, attachmentId))).get();
  if (held) return;
  const used = storageUsed(db);
  if (used + size > quotaBytes) throw new AppError("quota_exceeded", `attachments of one user are limited to ${quotaBytes} bytes in all (${used} bytes in use)`);
  db.insert(storedFiles).values({ channelId, attachmentId, size }).run();
}

/** The room purged these files: they stop counting. Unknown ids are fine (a refused or older upload). */
export function releaseStorage(db: HubDb, channelId: string, attachmentIds: string[]): void {
  if (attachmentIds.length > 0) db.delete(storedFiles).where(and(eq(storedFiles.channelId, channelId), inList(storedFiles.attachmentId, attachmentIds))).run();
}

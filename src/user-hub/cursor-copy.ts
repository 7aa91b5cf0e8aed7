import { eq } from "drizzle-orm";
import type { HubDb } from "./hub-db";
import type { DeviceCursor } from "../protocol";
import { cursorCopies } from "./schema";

/**
 * Per-device cursors are owned by each ChannelRoom (src/channel-room/cursors.ts).
 * The hub keeps what the rooms last reported, only to answer `GET
 * /inbox/missed` without asking every room; it never moves a cursor itself.
 */

/** A room's report for this user's devices in one channel: the copy becomes exactly it. */
export function replaceCursorCopy(db: HubDb, channelId: string, reported: readonly DeviceCursor[]): void {
  dropCursorCopy(db, channelId);
  for (const c of reported) db.insert(cursorCopies).values({ channelId, device: c.device, seq: c.seq }).run();
}

export function dropCursorCopy(db: HubDb, channelId: string): void {
  db.delete(cursorCopies).where(eq(cursorCopies.channelId, channelId)).run();
}

/** One device's cursors, by channel, as last reported. */
export function heldBy(db: HubDb, device: string): Map<string, number> {
  return new Map(db.select().from(cursorCopies).where(eq(cursorCopies.device, device)).all().map((c) => [c.channelId, c.seq]));
}

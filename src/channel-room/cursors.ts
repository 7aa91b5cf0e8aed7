import { and, eq } from "drizzle-orm";
import type { RoomDb } from "./room-db";
import { deviceCursors } from "./schema";
import { statements } from "./statements";

/**
 * Per-device cursors (docs/protocol.md "Inbox and presence"): the highest seq
 * each device is known to hold, moved by its sends, syncs and reads. The room
 * is their one owner; each member's hub gets a copy in the drain (drain.ts),
 * replaced whole, for `GET /inbox/missed`.
 */

/** Moves a device's cursor forward (never back), tagging it with the rev that carries it to the UserHub. */
export function moveCursor(db: RoomDb, userId: string, device: string, seq: number, rev: number): void {
  statements(db).moveCursor.run({ userId, device, seq, rev });
}

export function currentCursor(db: RoomDb, userId: string, device: string): number {
  return db.select({ seq: deviceCursors.seq }).from(deviceCursors).where(and(eq(deviceCursors.userId, userId), eq(deviceCursors.device, device))).get()?.seq ?? 0;
}

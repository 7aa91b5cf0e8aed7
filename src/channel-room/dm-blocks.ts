import { and, eq, ne } from "drizzle-orm";
import { AppError } from "../errors";
import { requireMember, type MetaRow, type RoomDb } from "./room-db";
import { members } from "./schema";

/**
 * A DM member blocks (or unblocks) the other: their sends are refused from
 * now on. Anything else (a group, a non-member) changes nothing.
 */
export function setPeerBlock(db: RoomDb, meta: MetaRow | undefined, blockerId: string, on: boolean): boolean {
  if (meta?.kind !== "dm") return false;
  return db.update(members).set({ blocksPeer: on }).where(and(eq(members.userId, blockerId), eq(members.active, true))).returning().all().length > 0;
}

/** A send in a DM whose other member blocked the sender: 403, nothing stored (a non-member still gets 404). */
export function refuseIfBlocked(db: RoomDb, meta: MetaRow, senderId: string): void {
  if (meta.kind !== "dm") return;
  requireMember(db, senderId);
  const blocker = db.select({ id: members.userId }).from(members).where(and(ne(members.userId, senderId), eq(members.active, true), eq(members.blocksPeer, true))).get();
  if (blocker) throw new AppError("forbidden", "this user does not accept your messages");
}

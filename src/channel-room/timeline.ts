import { eq } from "drizzle-orm";
import type { Message, TimelineEvent, User, UserRef } from "../protocol";
import { toMessage } from "./message-view";
import { storeRow, type SendContext } from "./messages";
import { lastMessage, requireMeta, type MemberRow, type RoomDb } from "./room-db";
import { members } from "./schema";

export function userRef(u: User | MemberRow): UserRef {
  return "userId" in u ? { id: u.userId, handle: u.handle, displayName: u.displayName } : { id: u.id, handle: u.handle, displayName: u.displayName };
}

/**
 * Appends a timeline line ("Ana added Bo") to the channel's order, sent by
 * the actor, so every device and every history page shows it. An encrypted
 * channel stores MLS messages only: there its commits are the record, and
 * nothing is appended (null). Call inside the change's storage transaction.
 */
export function appendEvent(db: RoomDb, ctx: SendContext, event: TimelineEvent): Message | null {
  const meta = requireMeta(db);
  if (meta.encrypted) return null;
  const last = lastMessage(db);
  const row = storeRow(db, ctx, last, {
    seq: (last?.seq ?? 0) + 1,
    body: "",
    // Unguessable, so it never meets a clientMsgId the actor chose (unique per sender).
    clientMsgId: `event_${crypto.randomUUID()}`,
    replyTo: null,
    mlsKind: null,
    mlsData: null,
    epoch: null,
    changeOf: null,
    event: JSON.stringify(event),
  });
  return toMessage(meta.channelId, row);
}

/** "Ana added Bo": the line is where Bo's history starts, so it is not news to them (their read marker moves past it). */
export function appendAdded(db: RoomDb, ctx: SendContext, actor: MemberRow, user: User): Message | null {
  const message = appendEvent(db, ctx, { type: "added", actor: userRef(actor), user: userRef(user) });
  if (message) db.update(members).set({ readSeq: message.seq }).where(eq(members.userId, user.id)).run();
  return message;
}

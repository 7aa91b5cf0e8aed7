import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import { AppError } from "../errors";
import type * as v from "valibot";
import type { Message, MessagesPage, SendBody } from "../protocol";
import { lastMessage, recordChange, requireMember, type MessageRow, type RoomDb } from "./room-db";
import { messages } from "./schema";
import type { Snowflake } from "./snowflake";
import { moveCursor } from "./cursors";
import { resolveMentions, setMentions } from "./mentions";
import { toMessage, toMessages, toOneMessage } from "./message-view";
import { statements } from "./statements";
import { claimAttachments } from "./attachments";

export interface SendContext {
  channelId: string;
  userId: string;
  device?: string;
  ids: Snowflake;
  rateLimit: number;
  rateWindowMs: number;
  now: number;
}

export type SendInput = v.InferOutput<typeof SendBody>;

/**
 * Stores a message: dedupe on (sender, clientMsgId), rate limit, next seq and
 * id, one write with its outbox row. Call inside one storage transaction.
 */
export function sendMessage(db: RoomDb, ctx: SendContext, input: SendInput): { message: Message; created: boolean } {
  requireMember(db, ctx.userId);
  const existing = statements(db).byClientMsgId.get({ userId: ctx.userId, clientMsgId: input.clientMsgId });
  if (existing) return { message: toOneMessage(db, ctx.channelId, existing), created: false };

  const files = input.attachments ?? [];
  if (input.body.trim().length === 0 && files.length === 0) throw new AppError("bad_request", "body must not be empty");
  assertWithinRate(db, ctx);
  const last = lastMessage(db);
  const seq = (last?.seq ?? 0) + 1;
  if (input.replyTo !== undefined && input.replyTo >= seq) throw new AppError("bad_request", "replyTo must name an earlier message");
  const row = storeRow(db, ctx, last, { seq, body: input.body, clientMsgId: input.clientMsgId, replyTo: input.replyTo ?? null, mlsKind: null, mlsData: null, epoch: null, changeOf: null });
  if (files.length > 0) claimAttachments(db, ctx.userId, files, seq, ctx.now);
  const mentioned = resolveMentions(db, input.body);
  if (mentioned.length > 0) setMentions(db, seq, mentioned);
  // A new message has no reactions; only a reply (its quote) or attachments need another read.
  if (row.replyTo === null && files.length === 0) {
    const message = toMessage(ctx.channelId, row);
    if (mentioned.length > 0) message.mentions = [...mentioned].sort();
    return { message, created: true };
  }
  return { message: toOneMessage(db, ctx.channelId, row), created: true };
}

/** SEND_RATE_LIMIT messages per user per window, counted from what is stored, so it survives restarts. */
export function assertWithinRate(db: RoomDb, ctx: SendContext): void {
  const since = ctx.now - ctx.rateWindowMs;
  // createdAt grows with seq: the sender's newest message from before the window bounds it. Found walking
  // the (sender, seq) index back from the newest, so the cost is the window's messages, not the history's.
  const s = statements(db);
  const before = s.rateFloor.get({ userId: ctx.userId, since })?.seq ?? 0;
  const count = s.rateCount.get({ userId: ctx.userId, after: before })?.n ?? 0;
  if (count < ctx.rateLimit) return;
  const inWindow = and(eq(messages.senderId, ctx.userId), gt(messages.seq, before));
  // Refused: a send fits again once the oldest of the newest `rateLimit` leaves the window.
  const oldest = db.select({ createdAt: messages.createdAt }).from(messages).where(inWindow).orderBy(desc(messages.seq)).limit(1).offset(ctx.rateLimit - 1).get();
  throw new AppError("rate_limited", "sending too fast", Math.max(1, (oldest?.createdAt ?? ctx.now) + ctx.rateWindowMs - ctx.now));
}

export type Page = MessagesPage;

/** Messages with seq > after, ascending. */
export function historyAfter(db: RoomDb, channelId: string, after: number, limit: number): Page {
  const rows = db.select().from(messages).where(gt(messages.seq, after)).orderBy(asc(messages.seq)).limit(limit + 1).all();
  return { messages: toMessages(db, channelId, rows.slice(0, limit)), hasMore: rows.length > limit };
}

/** The `limit` messages just before `before`, ascending; hasMore says whether older ones exist. */
export function historyBefore(db: RoomDb, channelId: string, before: number, limit: number): Page {
  const rows = db.select().from(messages).where(lt(messages.seq, before)).orderBy(desc(messages.seq)).limit(limit + 1).all();
  return { messages: toMessages(db, channelId, rows.slice(0, limit).reverse()), hasMore: rows.length > limit };
}

export function getMessage(db: RoomDb, seq: number): MessageRow | undefined {
  return db.select().from(messages).where(eq(messages.seq, seq)).get();
}


type NewRow = Pick<MessageRow, "seq" | "body" | "clientMsgId" | "replyTo" | "mlsKind" | "mlsData" | "epoch" | "changeOf"> & Partial<Pick<MessageRow, "event">>;

/**
 * Writes the next message row, plaintext or MLS: its Snowflake id and
 * createdAt (never back, even if the clock is), its change rev, and the
 * sender's device cursor. Call inside the send's storage transaction.
 */
export function storeRow(db: RoomDb, ctx: SendContext, last: MessageRow | undefined, fields: NewRow): MessageRow {
  const { id, ms } = ctx.ids.next(Math.max(ctx.now, last?.createdAt ?? 0));
  const rev = recordChange(db, { kind: "message", seq: fields.seq }, ctx.now);
  const row: MessageRow = { event: null, ...fields, id, senderId: ctx.userId, createdAt: ms, editedAt: null, deleted: false, rev };
  // The prepared statement is the plaintext hot path; MLS rows and timeline lines carry columns it leaves out.
  if (row.mlsKind === null && row.event === null) statements(db).insertMessage.run(row);
  else db.insert(messages).values(row).run();
  if (ctx.device) moveCursor(db, ctx.userId, ctx.device, fields.seq, rev);
  return row;
}

import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { eq, sql } from "drizzle-orm";
import * as schema from "./schema";
import { AppError } from "../errors";

export type RoomDb = DrizzleSqliteDODatabase<typeof schema>;
export type MetaRow = typeof schema.meta.$inferSelect;
export type MemberRow = typeof schema.members.$inferSelect;
export type MessageRow = typeof schema.messages.$inferSelect;
export type OutboxRow = typeof schema.outbox.$inferSelect;

export function readMeta(db: RoomDb): MetaRow | undefined {
  return db.select().from(schema.meta).get();
}

/** The channel's metadata, or 404: an uninitialised room is no channel at all. */
export function requireMeta(db: RoomDb): MetaRow {
  const meta = readMeta(db);
  if (!meta) throw new AppError("not_found", "no such channel");
  return meta;
}

/** An active member, or the same 404 as a missing channel: membership is not revealed. */
export function requireMember(db: RoomDb, userId: string): MemberRow {
  const member = db.select().from(schema.members).where(eq(schema.members.userId, userId)).get();
  if (!member || !member.active) throw new AppError("not_found", "no such channel");
  return member;
}

/** Moves the room's change counter on and records what changed, for the drain. */
export function recordChange(db: RoomDb, change: Omit<schema.OutboxInsert, "rev" | "createdAt">, now: number): number {
  const row = db
    .update(schema.meta)
    .set({ rev: sql`${schema.meta.rev} + 1` })
    .returning({ rev: schema.meta.rev })
    .get();
  if (!row) throw new AppError("not_found", "no such channel");
  db.insert(schema.outbox).values({ ...change, rev: row.rev, createdAt: now }).run();
  return row.rev;
}

export function lastMessage(db: RoomDb): MessageRow | undefined {
  return db.select().from(schema.messages).orderBy(sql`${schema.messages.seq} desc`).limit(1).get();
}

import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import * as schema from "./schema";
import { AppError } from "../errors";
import { statements } from "./statements";

export type RoomDb = DrizzleSqliteDODatabase<typeof schema>;
export type MetaRow = typeof schema.meta.$inferSelect;
export type MemberRow = typeof schema.members.$inferSelect;
export type MessageRow = typeof schema.messages.$inferSelect;
export type OutboxRow = typeof schema.outbox.$inferSelect;

export function readMeta(db: RoomDb): MetaRow | undefined {
  return statements(db).meta.get();
}

/** The channel's metadata, or 404: an uninitialised room is no channel at all. */
export function requireMeta(db: RoomDb): MetaRow {
  const meta = readMeta(db);
  if (!meta) throw new AppError("not_found", "no such channel");
  return meta;
}

/** An active member, or the same 404 as a missing channel: membership is not revealed. */
export function requireMember(db: RoomDb, userId: string): MemberRow {
  const member = statements(db).member.get({ userId });
  if (!member || !member.active) throw new AppError("not_found", "no such channel");
  return member;
}

/** Moves the room's change counter on and records what changed, for the drain. */
export function recordChange(db: RoomDb, change: Omit<schema.OutboxInsert, "rev" | "createdAt">, now: number): number {
  const s = statements(db);
  const row = s.bumpRev.get();
  if (!row) throw new AppError("not_found", "no such channel");
  s.insertOutbox.run({ rev: row.rev, kind: change.kind, userId: change.userId ?? null, seq: change.seq ?? null, createdAt: now });
  return row.rev;
}

export function lastMessage(db: RoomDb): MessageRow | undefined {
  return statements(db).lastMessage.get();
}

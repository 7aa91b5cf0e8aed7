import { and, eq, sql } from "drizzle-orm";
import { MENTION_PATTERN as MENTION } from "../protocol";
import type { RoomDb } from "./room-db";
import { members, mentions } from "./schema";
import { inList } from "./seq-list";

/** `@handle` not glued to a word before it (so no e-mail addresses) nor running on after it. */
const MAX_MENTIONS = 100;

/** The handles a body names, folded to lower case, each once. */
export function mentionedHandles(body: string): string[] {
  if (!body.includes("@")) return [];
  const handles = new Set<string>();
  for (const m of body.matchAll(MENTION)) {
    handles.add(m[1]!.toLowerCase());
    if (handles.size >= MAX_MENTIONS) break;
  }
  return [...handles];
}

/** The members a body mentions; handles of non-members are plain text. */
export function resolveMentions(db: RoomDb, body: string): string[] {
  const handles = mentionedHandles(body);
  if (handles.length === 0) return [];
  return db
    .select({ userId: members.userId })
    .from(members)
    .where(and(eq(members.active, true), inList(members.handle, handles)))
    .all()
    .map((r) => r.userId);
}

/** Replaces a message's mentions (one JSON parameter, however many there are). */
export function setMentions(db: RoomDb, seq: number, userIds: string[]): void {
  db.delete(mentions).where(eq(mentions.seq, seq)).run();
  if (userIds.length === 0) return;
  db.run(sql`insert into ${mentions} (${sql.identifier(mentions.seq.name)}, ${sql.identifier(mentions.userId.name)}) select ${seq}, value from json_each(${JSON.stringify(userIds)})`);
}


import { eq, sql } from "drizzle-orm";
import type { HubDb } from "./hub-db";
import { blocks, channels, state } from "./schema";
import { preparedOnce } from "../sockets/prepared-once";

const p = sql.placeholder;

/**
 * The room-update path's queries, built once per hub and reused: a busy
 * channel updates each member's hub several times a second, and drizzle
 * spends far longer building a query than SQLite running it (the room's
 * statements.ts has the figures).
 */
function prepare(db: HubDb) {
  return {
    state: db.select().from(state).prepare(),
    channel: db.select().from(channels).where(eq(channels.channelId, p("channelId"))).prepare(),
    /** Every column the update path sets (values go through the columns' mapping, JSON included). */
    upsertChannel: db
      .insert(channels)
      .values({
        channelId: p("channelId"),
        rev: p("rev"),
        removed: false,
        kind: p("kind"),
        partnerId: p("partnerId"),
        summary: p("summary"),
        lastActivity: p("lastActivity"),
        pushedSeq: p("pushedSeq"),
        closed: p("closed"),
      })
      .onConflictDoUpdate({
        target: channels.channelId,
        set: {
          rev: sql`excluded.rev`,
          removed: false,
          kind: sql`excluded.kind`,
          partnerId: sql`excluded.partner_id`,
          summary: sql`excluded.summary`,
          lastActivity: sql`excluded.last_activity`,
          pushedSeq: sql`excluded.pushed_seq`,
          closed: sql`excluded.closed`,
        },
      })
      .prepare(),
    blocked: db.select({ id: blocks.userId }).from(blocks).where(eq(blocks.userId, p("userId"))).prepare(),
  };
}

export type HubStatements = ReturnType<typeof prepare>;

/** The prepared statements of this hub's database, built on first use. */
export const statements: (db: HubDb) => HubStatements = preparedOnce(prepare);

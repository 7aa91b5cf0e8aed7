import { and, eq, sql } from "drizzle-orm";
import { AppError } from "../errors";
import type { HubDb } from "./hub-db";
import { channels, countedChannels } from "./schema";

/**
 * How many channels count against the user's limit: those they created or
 * spoke in, less the ones they left or closed. A counted row whose channel
 * the room has not reported yet still counts (it is being created).
 */
export function countedChannelCount(db: HubDb): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(countedChannels)
    .leftJoin(channels, eq(channels.channelId, countedChannels.channelId))
    .where(sql`${channels.channelId} IS NULL OR (${channels.removed} = 0 AND ${channels.closed} = 0)`)
    .get();
  return row?.n ?? 0;
}

/**
 * The user is creating or opening a channel: it counts from now on, unless
 * they are at the limit (a channel that already counts passes). `reopened`:
 * a DM they had closed opens again, for the inbox to hear of it. `fresh`: the
 * channel did not count before, so a creation that fails releases it.
 */
export function reserveChannel(db: HubDb, channelId: string, max: number, now: number): { reopened: boolean; fresh: boolean } {
  const counted = db.select().from(countedChannels).where(eq(countedChannels.channelId, channelId)).get();
  const row = db.select({ closed: channels.closed, removed: channels.removed }).from(channels).where(eq(channels.channelId, channelId)).get();
  const counting = counted !== undefined && (!row || (!row.removed && !row.closed));
  if (!counting && countedChannelCount(db) >= max) throw new AppError("channel_limit", `you are in ${max} channels, the most allowed`);
  countChannel(db, channelId, now);
  const fresh = counted === undefined;
  if (!row?.closed) return { reopened: false, fresh };
  db.update(channels).set({ closed: false }).where(eq(channels.channelId, channelId)).run();
  return { reopened: true, fresh };
}

/** A creation the user reserved failed: the channel stops counting, unless the hub has heard of it since (it exists after all). */
export function releaseReservation(db: HubDb, channelId: string): void {
  const row = db.select({ id: channels.channelId }).from(channels).where(eq(channels.channelId, channelId)).get();
  if (!row) uncountChannel(db, channelId);
}

/** The user spoke in the channel: from now on it counts. */
export function countChannel(db: HubDb, channelId: string, now: number): void {
  db.insert(countedChannels).values({ channelId, since: now }).onConflictDoNothing().run();
}

export function uncountChannel(db: HubDb, channelId: string): void {
  db.delete(countedChannels).where(eq(countedChannels.channelId, channelId)).run();
}

/**
 * Closes a DM for this user: it leaves their inbox and their channel count
 * until a new message arrives. Returns the channel's summary row, or throws
 * not_found for a channel they are not in.
 */
export function closeDm(db: HubDb, channelId: string): typeof channels.$inferSelect {
  const row = db.select().from(channels).where(and(eq(channels.channelId, channelId), eq(channels.removed, false))).get();
  if (!row) throw new AppError("not_found", "no such channel");
  if (row.kind !== "dm") throw new AppError("bad_request", "only a DM can be closed; leave a group instead");
  db.update(channels).set({ closed: true }).where(eq(channels.channelId, channelId)).run();
  return row;
}

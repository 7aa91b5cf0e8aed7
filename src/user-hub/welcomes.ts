import { asc, eq } from "drizzle-orm";
import type { MlsWelcome } from "../protocol";
import type { HubDb } from "./hub-db";
import { welcomes } from "./schema";

/** Keeps a Welcome once (rooms retry until it is held); true if it is new. */
export function storeWelcome(db: HubDb, w: MlsWelcome): boolean {
  const inserted = db
    .insert(welcomes)
    .values({ channelId: w.channelId, seq: w.seq, epoch: w.epoch, data: w.welcome, createdAt: w.createdAt })
    .onConflictDoNothing()
    .returning({ seq: welcomes.seq })
    .all();
  return inserted.length > 0;
}

/** Every Welcome the user holds, oldest first; a device joins with the one made for its KeyPackage. */
export function listWelcomes(db: HubDb, channelId?: string): MlsWelcome[] {
  const q = db.select().from(welcomes);
  const rows = (channelId === undefined ? q : q.where(eq(welcomes.channelId, channelId))).orderBy(asc(welcomes.createdAt), asc(welcomes.seq)).all();
  return rows.map((r) => ({ channelId: r.channelId, seq: r.seq, epoch: r.epoch, welcome: r.data, createdAt: r.createdAt }));
}

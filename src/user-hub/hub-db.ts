import type { DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import * as schema from "./schema";
import { statements } from "./statements";

export type HubDb = DrizzleSqliteDODatabase<typeof schema>;
export type StateRow = typeof schema.state.$inferSelect;

/** The hub's one state row, created the first time anyone names its user. */
export function ensureState(db: HubDb, userId: string): StateRow {
  const row = statements(db).state.get();
  if (row) return row;
  const fresh: StateRow = { key: 1, userId, online: false, lastSeenAt: 0, goneAt: null };
  db.insert(schema.state).values(fresh).run();
  return fresh;
}

export function readState(db: HubDb): StateRow | undefined {
  return statements(db).state.get();
}

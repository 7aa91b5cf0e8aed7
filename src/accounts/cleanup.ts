import { lt } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "./db";
import { deleteStaleAddressBudgets } from "./address-budget";
import { deleteStaleLoginFailures } from "./login-limit";
import { sessions } from "./schema";

/** The Cron Trigger's work: rows that can no longer matter. Expired sessions already fail findSession; this only frees the space. */
export async function deleteExpired(db: Db, config: Config, now = Date.now()): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, now));
  await deleteStaleLoginFailures(db, config, now);
  await deleteStaleAddressBudgets(db, now);
}

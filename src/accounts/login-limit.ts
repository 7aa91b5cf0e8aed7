import { and, eq, lt, sql } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "./db";
import { loginFailures } from "./schema";
import { AppError } from "../errors";

/**
 * Login lockout per handle *and* client address: failures from one address
 * never slow down the same handle from another, so a stranger cannot lock
 * the owner out. The first `loginMaxFailures` failures are free; after that
 * each attempt must wait a delay that doubles with every further failure
 * (1 s, 2 s, 4 s, ...), at most `loginLockoutMs`. A success clears the count;
 * so does `loginLockoutMs` without a failure (and the Cron Trigger then
 * deletes the row).
 */
export function loginDelayMs(failures: number, config: Config): number {
  if (failures < config.loginMaxFailures) return 0;
  return Math.min(config.loginLockoutMs, 1000 * 2 ** Math.min(30, failures - config.loginMaxFailures));
}

export async function assertLoginAllowed(db: Db, handle: string, address: string, config: Config, now = Date.now()): Promise<void> {
  const row = await db.select().from(loginFailures).where(and(eq(loginFailures.handle, handle), eq(loginFailures.address, address))).get();
  if (!row || row.lastFailureAt < now - config.loginLockoutMs) return;
  const wait = row.lastFailureAt + loginDelayMs(row.failures, config) - now;
  if (wait > 0) throw new AppError("rate_limited", "too many failed logins; try again later", wait);
}

export async function recordLoginFailure(db: Db, handle: string, address: string, config: Config, now = Date.now()): Promise<void> {
  const staleBefore = now - config.loginLockoutMs;
  await db
    .insert(loginFailures)
    .values({ handle, address, failures: 1, lastFailureAt: now })
    .onConflictDoUpdate({
      target: [loginFailures.handle, loginFailures.address],
      set: {
        failures: sql`CASE WHEN ${loginFailures.lastFailureAt} < ${staleBefore} THEN 1 ELSE ${loginFailures.failures} + 1 END`,
        lastFailureAt: now,
      },
    });
}

export async function clearLoginFailures(db: Db, handle: string, address: string): Promise<void> {
  await db.delete(loginFailures).where(and(eq(loginFailures.handle, handle), eq(loginFailures.address, address)));
}

/** For the Cron Trigger: rows that no longer slow anyone down. */
export async function deleteStaleLoginFailures(db: Db, config: Config, now = Date.now()): Promise<void> {
  await db.delete(loginFailures).where(lt(loginFailures.lastFailureAt, now - config.loginLockoutMs));
}

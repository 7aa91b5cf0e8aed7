import { eq, sql } from "drizzle-orm";
import type { Config } from "../config";
import type { Db } from "./db";
import { loginFailures } from "./schema";
import { AppError } from "../errors";

/**
 * Lockout per handle: after `loginMaxFailures` failed logins within
 * `loginLockoutMs`, further attempts are refused with 429 until that window
 * (counted from the first failure) ends. A success clears the count.
 */
export async function assertLoginAllowed(db: Db, handle: string, config: Config, now = Date.now()): Promise<void> {
  const row = await db.select().from(loginFailures).where(eq(loginFailures.handle, handle)).get();
  if (!row) return;
  const windowEnd = row.windowStart + config.loginLockoutMs;
  if (row.failures >= config.loginMaxFailures && now < windowEnd) {
    throw new AppError("rate_limited", "too many failed logins; try again later", windowEnd - now);
  }
}

export async function recordLoginFailure(db: Db, handle: string, config: Config, now = Date.now()): Promise<void> {
  const staleBefore = now - config.loginLockoutMs;
  await db
    .insert(loginFailures)
    .values({ handle, failures: 1, windowStart: now })
    .onConflictDoUpdate({
      target: loginFailures.handle,
      set: {
        failures: sql`CASE WHEN ${loginFailures.windowStart} < ${staleBefore} THEN 1 ELSE ${loginFailures.failures} + 1 END`,
        windowStart: sql`CASE WHEN ${loginFailures.windowStart} < ${staleBefore} THEN ${now} ELSE ${loginFailures.windowStart} END`,
      },
    });
}

export async function clearLoginFailures(db: Db, handle: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.handle, handle));
}

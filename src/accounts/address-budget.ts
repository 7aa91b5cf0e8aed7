import { lt, sql } from "drizzle-orm";
import type { BudgetRule } from "../budgets/budget";
import { AppError } from "../errors";
import type { Db } from "./db";
import { addressBudgets } from "./schema";

export type AddressBudgetKind = "signup" | "groupCreate";

const WHAT: Record<AddressBudgetKind, string> = { signup: "signups", groupCreate: "new groups" };

/**
 * Local runs have no client address (or a loopback one): tests and the
 * benchmark sign up many users from one machine, and no stranger shares it.
 */
function exempt(address: string): boolean {
  return address === "" || address === "::1" || address.startsWith("127.");
}

/**
 * Spends one unit of a client address's budget in D1, the one place every
 * isolate shares: `limit` per fixed window of `windowMs`. Over it, 429
 * `rate_limited` with the wait until the window ends.
 */
export async function spendAddressBudget(db: Db, kind: AddressBudgetKind, address: string, rule: BudgetRule, now = Date.now()): Promise<void> {
  if (rule.limit <= 0 || exempt(address)) return;
  const windowStart = now - (now % rule.windowMs);
  const row = await db
    .insert(addressBudgets)
    .values({ kind, address, windowStart, count: 1 })
    .onConflictDoUpdate({ target: [addressBudgets.kind, addressBudgets.address, addressBudgets.windowStart], set: { count: sql`${addressBudgets.count} + 1` } })
    .returning({ count: addressBudgets.count })
    .get();
  if (row && row.count > rule.limit) throw new AppError("rate_limited", `too many ${WHAT[kind]} from your address; try again later`, windowStart + rule.windowMs - now);
}

/** For the Cron Trigger: windows that have ended (the longest budget window is a day). */
export async function deleteStaleAddressBudgets(db: Db, now = Date.now()): Promise<void> {
  await db.delete(addressBudgets).where(lt(addressBudgets.windowStart, now - 24 * 3600_000));
}

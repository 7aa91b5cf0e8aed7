import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { MAX_KEY_PACKAGES_PER_DEVICE, type ClaimedKeyPackage } from "../protocol";
import type { HubDb } from "./hub-db";
import { keyPackages } from "./schema";

/**
 * Adds a device's batch (the oldest past MAX_KEY_PACKAGES_PER_DEVICE go) and
 * replaces its last-resort KeyPackage if one is given. Returns how many it holds.
 */
export function publishKeyPackages(db: HubDb, device: string, batch: string[], lastResort: string | undefined, now: number): number {
  if (lastResort !== undefined) {
    db.delete(keyPackages).where(and(eq(keyPackages.device, device), eq(keyPackages.lastResort, true))).run();
    db.insert(keyPackages).values({ device, data: lastResort, lastResort: true, createdAt: now }).run();
  }
  if (batch.length > 0) db.insert(keyPackages).values(batch.map((data) => ({ device, data, lastResort: false, createdAt: now }))).run();
  const ids = db
    .select({ id: keyPackages.id })
    .from(keyPackages)
    .where(and(eq(keyPackages.device, device), eq(keyPackages.lastResort, false)))
    .orderBy(asc(keyPackages.id))
    .all()
    .map((r) => r.id);
  const excess = ids.slice(0, Math.max(0, ids.length - MAX_KEY_PACKAGES_PER_DEVICE));
  if (excess.length > 0) db.delete(keyPackages).where(inArray(keyPackages.id, excess)).run();
  return ids.length - excess.length;
}

/**
 * One KeyPackage per device, each consumed once: the oldest of its batch,
 * or, when the batch is empty, its last-resort one, which stays. Devices in
 * `except` (already in the group) keep theirs.
 */
export function claimKeyPackages(db: HubDb, except: readonly string[] = []): ClaimedKeyPackage[] {
  const skip = new Set(except);
  const rows = db
    .select()
    .from(keyPackages)
    .orderBy(asc(keyPackages.lastResort), asc(keyPackages.id))
    .all()
    .filter((r) => !skip.has(r.device));
  const byDevice = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!byDevice.has(r.device)) byDevice.set(r.device, r);
  const consumed = [...byDevice.values()].filter((r) => !r.lastResort).map((r) => r.id);
  if (consumed.length > 0) db.delete(keyPackages).where(inArray(keyPackages.id, consumed)).run();
  return [...byDevice.values()].map((r) => (r.lastResort ? { device: r.device, keyPackage: r.data, lastResort: true as const } : { device: r.device, keyPackage: r.data }));
}

/** How many unclaimed KeyPackages a device has left, so it can publish more in time. */
export function keyPackageCount(db: HubDb, device: string): { device: string; count: number; lastResort: boolean } {
  const rows = db
    .select({ lastResort: keyPackages.lastResort, n: sql<number>`count(*)` })
    .from(keyPackages)
    .where(eq(keyPackages.device, device))
    .groupBy(keyPackages.lastResort)
    .all();
  return { device, count: rows.find((r) => !r.lastResort)?.n ?? 0, lastResort: rows.some((r) => r.lastResort && r.n > 0) };
}

/** A device logged out: its KeyPackages must not add it anywhere again. */
export function dropKeyPackages(db: HubDb, device: string): void {
  db.delete(keyPackages).where(eq(keyPackages.device, device)).run();
}

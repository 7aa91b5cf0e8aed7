import { and, asc, eq } from "drizzle-orm";
import type { DeviceRef } from "../mls/inbound";
import type { MlsLeaf } from "../protocol";
import type { RoomDb } from "./room-db";
import { mlsLeaves } from "./schema";

/** The MLS tree's occupied leaves as the room tracks them, in leaf order. */
export function listLeaves(db: RoomDb): MlsLeaf[] {
  return db
    .select()
    .from(mlsLeaves)
    .orderBy(asc(mlsLeaves.leaf))
    .all()
    .map(({ leaving, ...l }) => (leaving === null ? l : { ...l, leaving }));
}

/** Marks a leaf as asked out by its own device's Remove proposal at `seq`. */
export function markLeaving(db: RoomDb, leaf: number, seq: number): void {
  db.update(mlsLeaves).set({ leaving: seq }).where(eq(mlsLeaves.leaf, leaf)).run();
}

export function leafOf(db: RoomDb, userId: string, device: string): number | undefined {
  return db.select({ leaf: mlsLeaves.leaf }).from(mlsLeaves).where(and(eq(mlsLeaves.userId, userId), eq(mlsLeaves.device, device))).get()?.leaf;
}

/**
 * Where a commit's adds and removes leave the tree, without touching storage.
 * RFC 9420 §12.3: removes apply before adds; each add takes the leftmost
 * blank leaf, or extends the tree (§7.7) — the smallest free index either way.
 */
export function nextLeaves(current: MlsLeaf[], removes: number[], adds: DeviceRef[]): MlsLeaf[] {
  const removed = new Set(removes);
  const kept = current.filter((l) => !removed.has(l.leaf));
  const taken = new Set(kept.map((l) => l.leaf));
  const out = [...kept];
  let next = 0;
  for (const a of adds) {
    while (taken.has(next)) next++;
    taken.add(next);
    out.push({ leaf: next, userId: a.userId, device: a.device });
  }
  return out.sort((x, y) => x.leaf - y.leaf);
}

export function replaceLeaves(db: RoomDb, leaves: MlsLeaf[]): void {
  db.delete(mlsLeaves).run();
  if (leaves.length > 0) db.insert(mlsLeaves).values(leaves).run();
}

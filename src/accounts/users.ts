import { and, eq, gte, inArray, lt } from "drizzle-orm";
import type { Db } from "./db";
import { users } from "./schema";
import { AppError } from "../errors";
import type { User } from "../protocol";

type UserRow = typeof users.$inferSelect;

/** The public profile: never a credential field. */
export function toUser(row: Pick<UserRow, "id" | "handle" | "displayName" | "createdAt">): User {
  return { id: row.id, handle: row.handle, displayName: row.displayName, createdAt: row.createdAt };
}

const publicColumns = { id: users.id, handle: users.handle, displayName: users.displayName, createdAt: users.createdAt };

/** `input.id` comes from newUserId: it carries the user's home region and the service's signature. */
export async function insertUser(db: Db, input: { id: string; handle: string; displayName: string; passwordHash: string }): Promise<User> {
  const row = { createdAt: Date.now(), ...input };
  const inserted = await db.insert(users).values(row).onConflictDoNothing({ target: users.handle }).returning(publicColumns);
  if (inserted.length === 0) throw new AppError("conflict", "that handle is taken");
  return toUser(row);
}

export async function findCredentials(db: Db, handle: string): Promise<UserRow | undefined> {
  return db.select().from(users).where(eq(users.handle, handle)).get();
}

export async function getUserById(db: Db, id: string): Promise<User> {
  const row = await db.select(publicColumns).from(users).where(eq(users.id, id)).get();
  if (!row) throw new AppError("not_found", "no such user");
  return row;
}

export async function getUserByHandle(db: Db, handle: string): Promise<User> {
  const row = await db.select(publicColumns).from(users).where(eq(users.handle, handle)).get();
  if (!row) throw new AppError("not_found", `no user @${handle}`);
  return row;
}

/** Users by handle; unknown handles are reported together. */
export async function getUsersByHandles(db: Db, handles: string[]): Promise<User[]> {
  const unique = [...new Set(handles)];
  if (unique.length === 0) return [];
  const rows = await db.select(publicColumns).from(users).where(inArray(users.handle, unique));
  const missing = unique.filter((h) => !rows.some((r) => r.handle === h));
  if (missing.length) throw new AppError("not_found", `no user ${missing.map((h) => "@" + h).join(", ")}`);
  return rows;
}

export async function searchUsers(db: Db, prefix: string, limit: number): Promise<User[]> {
  const p = prefix.toLowerCase();
  // Handles are a-z, 0-9 and _: a prefix with anything else matches nobody.
  if (!/^[a-z0-9_]*$/.test(p)) return [];
  // A range on the handle index, not LIKE: D1 refuses LIKE patterns over 50 bytes (a 500 before).
  // "~" sorts after every handle character, so [p, p + "~") is exactly the handles starting with p.
  return db
    .select(publicColumns)
    .from(users)
    .where(and(gte(users.handle, p), lt(users.handle, p + "~")))
    .orderBy(users.handle)
    .limit(limit);
}

export async function updateDisplayName(db: Db, id: string, displayName: string): Promise<User> {
  const row = await db.update(users).set({ displayName }).where(eq(users.id, id)).returning(publicColumns).get();
  if (!row) throw new AppError("not_found", "no such user");
  return row;
}

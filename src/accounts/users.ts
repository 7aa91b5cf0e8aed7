import { and, eq, gte, inArray, lt } from "drizzle-orm";
import type { Db } from "./db";
import { users } from "./schema";
import { AppError } from "../errors";
import type { User, UserRef } from "../protocol";

type UserRow = typeof users.$inferSelect;

/** The public profile: never a credential field. */
export function toUser(row: Pick<UserRow, "id" | "handle" | "displayName" | "createdAt">): User {
  return { id: row.id, handle: row.handle, displayName: row.displayName, createdAt: row.createdAt };
}

const publicColumns = { id: users.id, handle: users.handle, displayName: users.displayName, createdAt: users.createdAt };

/** `input.id` comes from newUserId: it carries the user's home region and the service's signature. */
export async function insertUser(db: Db, input: { id: string; handle: string; displayName: string; passwordHash: string }): Promise<User> {
  const row = { createdAt: Date.now(), nameKey: nameKey(input.displayName), ...input };
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

/** A display name as people search compares it: compatibility-decomposed, without accents, lower case ("Élodie" → "elodie"). */
export function nameKey(name: string): string {
  return name.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

const refColumns = { id: users.id, handle: users.handle, displayName: users.displayName };

/**
 * People search: handles starting with `q` (an "@" before it is dropped),
 * then display names starting with it (case and accents ignored), at most
 * `limit`, each listed once. Ranges on the two indexes, not LIKE: D1 refuses
 * LIKE patterns over 50 bytes. Only id, handle and display name leave.
 */
export async function searchUsers(db: Db, q: string, limit: number): Promise<UserRef[]> {
  const text = q.trim();
  if (text.length === 0) return [];
  const handle = text.replace(/^@/, "").toLowerCase();
  // "~" sorts after every handle character, so [p, p + "~") is exactly the handles starting with p.
  const byHandle = /^[a-z0-9_]+$/.test(handle)
    ? await db.select(refColumns).from(users).where(and(gte(users.handle, handle), lt(users.handle, handle + "~"))).orderBy(users.handle).limit(limit)
    : [];
  // U+10FFFF sorts after every character, as UTF-8 bytes compare.
  const key = nameKey(text);
  const byName = await db.select(refColumns).from(users).where(and(gte(users.nameKey, key), lt(users.nameKey, key + "\u{10FFFF}"))).orderBy(users.nameKey, users.handle).limit(limit);
  const found = new Map<string, UserRef>();
  for (const u of [...byHandle, ...byName]) if (!found.has(u.id)) found.set(u.id, u);
  return [...found.values()].slice(0, limit);
}

export async function updateDisplayName(db: Db, id: string, displayName: string): Promise<User> {
  const row = await db.update(users).set({ displayName, nameKey: nameKey(displayName) }).where(eq(users.id, id)).returning(publicColumns).get();
  if (!row) throw new AppError("not_found", "no such user");
  return row;
}

import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = ReturnType<typeof openDb>;

/** Drizzle over D1, or over one D1 Sessions API session (same prepare/batch surface; drizzle's types name only D1Database). */
export function openDb(d1: D1Database | D1DatabaseSession) {
  return drizzle(d1 as D1Database, { schema });
}

/**
 * A session that reads from any replica at least as fresh as `bookmark`, or
 * from any replica at all without one. Writes always go to the primary.
 */
export function openSession(d1: D1Database, bookmark: string | null | undefined): { db: Db; session: D1DatabaseSession } {
  const session = d1.withSession(bookmark ?? "first-unconstrained");
  return { db: openDb(session), session };
}

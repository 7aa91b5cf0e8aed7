import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** D1: profiles and credentials. Channels and messages live in Durable Objects. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    handle: text("handle").notNull().unique(),
    displayName: text("display_name").notNull(),
    /** The display name folded for people search (nameKey: lower case, no accents), kept with it. */
    nameKey: text("name_key").notNull().default(""),
    /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`: the parameters travel with the hash. */
    passwordHash: text("password_hash").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("users_name_key_idx").on(t.nameKey)],
);

export const sessions = sqliteTable(
  "sessions",
  {
    /** SHA-256 of the bearer token, hex; the token itself is never stored. */
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Failed logins per handle and client address together (README "Login
 * lockout"), so a stranger's failures never lock the owner out.
 */
export const loginFailures = sqliteTable(
  "login_failures",
  {
    handle: text("handle").notNull(),
    /** CF-Connecting-IP, or "" where the platform gives none. */
    address: text("address").notNull(),
    failures: integer("failures").notNull(),
    lastFailureAt: integer("last_failure_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.handle, t.address] }), index("login_failures_last_idx").on(t.lastFailureAt)],
);

/**
 * Per client address budgets (signups, new groups): a count per fixed window,
 * so one atomic upsert both spends and checks. The Cron Trigger deletes old windows.
 */
export const addressBudgets = sqliteTable(
  "address_budgets",
  {
    kind: text("kind").notNull(),
    address: text("address").notNull(),
    windowStart: integer("window_start").notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.address, t.windowStart] }), index("address_budgets_window_idx").on(t.windowStart)],
);

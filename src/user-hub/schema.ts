import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A UserHub's own SQLite: one user's channels, presence and push, and a copy of their rooms' device cursors. */
export const state = sqliteTable("state", {
  key: integer("key").primaryKey(),
  userId: text("user_id").notNull(),
  online: integer("online", { mode: "boolean" }).notNull().default(false),
  /** Last time a socket of this user was known alive; 0 if never. */
  lastSeenAt: integer("last_seen_at").notNull().default(0),
  /** When the last live socket went away; offline follows after the grace period. */
  goneAt: integer("gone_at"),
});

/** A cache of each channel's summary, rebuilt from the rooms' updates; `rev` keeps the newest. */
export const channels = sqliteTable("channels", {
  channelId: text("channel_id").primaryKey(),
  rev: integer("rev").notNull(),
  removed: integer("removed", { mode: "boolean" }).notNull().default(false),
  kind: text("kind", { enum: ["dm", "group"] }).notNull(),
  /** For a DM, the other member: presence is published to them. */
  partnerId: text("partner_id"),
  summary: text("summary", { mode: "json" }).notNull(),
  lastActivity: integer("last_activity").notNull(),
  /** Highest seq already considered for push, so a retried update never pushes twice. */
  pushedSeq: integer("pushed_seq").notNull().default(0),
  /** Last push sent for this channel while offline, for coalescing. */
  lastPushAt: integer("last_push_at").notNull().default(0),
  /** A DM the user closed: out of the inbox and the channel count until a new message arrives. */
  closed: integer("closed", { mode: "boolean" }).notNull().default(false),
});

/**
 * Channels that count against MAX_CHANNELS_PER_USER: ones the user created
 * or spoke in, not ones others added them to (so strangers cannot fill it).
 * Written before the room's first update arrives, so a row may lead its channel.
 */
export const countedChannels = sqliteTable("counted_channels", {
  channelId: text("channel_id").primaryKey(),
  since: integer("since").notNull(),
});

/** Users this user blocked: they cannot open a DM with or add this user, and are not pushed. */
export const blocks = sqliteTable("blocks", {
  userId: text("user_id").primaryKey(),
  createdAt: integer("created_at").notNull(),
});

/**
 * This user's per-device cursors as the rooms last reported them (the rooms
 * own them: src/channel-room/cursors.ts); read by `GET /inbox/missed` only.
 */
export const cursorCopies = sqliteTable(
  "cursors",
  {
    channelId: text("channel_id").notNull(),
    device: text("device").notNull(),
    seq: integer("seq").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.device] })],
);

export const pushSubscriptions = sqliteTable("push_subscriptions", {
  device: text("device").primaryKey(),
  endpoint: text("endpoint").notNull(),
  p256dh: text("p256dh").notNull(),
  auth: text("auth").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Last subscribe or delivered push: past MAX_PUSH_SUBSCRIPTIONS the least recently used goes. */
  lastUsedAt: integer("last_used_at").notNull().default(0),
});

/** Pushes waiting to be sent or retried (429/5xx), so a slow push service never blocks anything. */
export const pushQueue = sqliteTable("push_queue", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  device: text("device").notNull(),
  payload: text("payload").notNull(),
  urgency: text("urgency").notNull(),
  topic: text("topic"),
  attempts: integer("attempts").notNull().default(0),
  nextAt: integer("next_at").notNull(),
});

/** MLS KeyPackages this user's devices published, claimed one per device and consumed once. */
export const keyPackages = sqliteTable("key_packages", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  device: text("device").notNull(),
  data: text("data").notNull(),
  /** Handed out when the device's batch is empty, and kept (RFC 9420 §16.8). */
  lastResort: integer("last_resort", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
});

/** Welcomes to encrypted channels this user was added to, for each of their devices to join with. */
export const welcomes = sqliteTable(
  "welcomes",
  {
    channelId: text("channel_id").notNull(),
    seq: integer("seq").notNull(),
    epoch: integer("epoch").notNull(),
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.seq] })],
);

/**
 * Every attachment this user keeps, in any channel, for the per-user quota
 * (USER_ATTACHMENT_QUOTA_BYTES). Booked before the room's row counts it, and
 * released when the room purges the file, so the sum is what R2 may hold.
 */
export const storedFiles = sqliteTable(
  "stored_files",
  {
    channelId: text("channel_id").notNull(),
    attachmentId: text("attachment_id").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.attachmentId] })],
);

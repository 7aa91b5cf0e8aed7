import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A ChannelRoom's own SQLite: the channel, its members and its messages. */
export const meta = sqliteTable("meta", {
  key: integer("key").primaryKey(),
  channelId: text("channel_id").notNull(),
  kind: text("kind", { enum: ["dm", "group"] }).notNull(),
  title: text("title").notNull(),
  creatorId: text("creator_id").notNull(),
  createdAt: integer("created_at").notNull(),
  /** Bumps on every change a member's summary shows; the UserHub keeps the newest. */
  rev: integer("rev").notNull().default(0),
  /** End-to-end encrypted (MLS): only MLS messages are stored, and members change only by commit. */
  encrypted: integer("encrypted", { mode: "boolean" }).notNull().default(false),
  /** The MLS epoch the next commit must be built on; each accepted commit moves it on by one. */
  epoch: integer("epoch").notNull().default(0),
  /** An encrypted DM's other user: a member once a commit adds a device of theirs. */
  peerId: text("peer_id"),
});

export const members = sqliteTable("members", {
  userId: text("user_id").primaryKey(),
  /** Profile cache from D1, refreshed whenever the user (re)joins. */
  handle: text("handle").notNull(),
  displayName: text("display_name").notNull(),
  userCreatedAt: integer("user_created_at").notNull(),
  joinedAt: integer("joined_at").notNull(),
  readSeq: integer("read_seq").notNull().default(0),
  /** False once removed, until the UserHub has been told; then the row goes. */
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  /** The room's rev last delivered to this member's UserHub: outbox rows above it are pending for them. */
  deliveredRev: integer("delivered_rev").notNull().default(0),
  /** Drain retry state: next attempt time and consecutive failures. */
  retryAt: integer("retry_at").notNull().default(0),
  failures: integer("failures").notNull().default(0),
  /** In a DM: this member blocked the other, whose sends are refused (403) until unblocked. */
  blocksPeer: integer("blocks_peer", { mode: "boolean" }).notNull().default(false),
});

export const messages = sqliteTable(
  "messages",
  {
    seq: integer("seq").primaryKey(),
    id: text("id").notNull(),
    senderId: text("sender_id").notNull(),
    body: text("body").notNull(),
    clientMsgId: text("client_msg_id").notNull(),
    createdAt: integer("created_at").notNull(),
    editedAt: integer("edited_at"),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    replyTo: integer("reply_to"),
    /** The room's rev at the message's last change: the change cursor of edits, deletes and reactions. */
    rev: integer("rev").notNull(),
    /** Encrypted channels: the MLS message stored instead of a body (base64), its kind and epoch. */
    mlsKind: text("mls_kind", { enum: ["application", "commit", "proposal"] }),
    mlsData: text("mls_data"),
    epoch: integer("epoch"),
    /** An encrypted edit, delete or reaction of message `changeOf`: never unread. */
    changeOf: integer("change_of"),
    /** A timeline line (a member added, left or removed, the group renamed), as JSON; body "". Never unread, never pushed. */
    event: text("event"),
  },
  (t) => [
    // Rows no unread count includes (commits, proposals, encrypted changes): counted without scanning the rest.
    index("messages_handshake_idx").on(t.seq).where(sql`mls_kind IN ('commit', 'proposal') OR change_of IS NOT NULL`),
    uniqueIndex("messages_sender_client_idx").on(t.senderId, t.clientMsgId),
    index("messages_sender_seq_idx").on(t.senderId, t.seq),
    index("messages_rev_idx").on(t.rev),
    // Tombstones only: unread counts skip them without scanning live messages.
    index("messages_deleted_idx").on(t.seq).where(sql`deleted = 1`),
    // Timeline lines only: unread counts skip them without scanning messages.
    index("messages_event_idx").on(t.seq).where(sql`event IS NOT NULL`),
  ],
);

/** Who reacted with what: one row per (message, emoji, user); a toggle inserts or deletes it. */
export const reactions = sqliteTable(
  "reactions",
  {
    seq: integer("seq").notNull(),
    emoji: text("emoji").notNull(),
    userId: text("user_id").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seq, t.emoji, t.userId] })],
);

/** Members a message mentions (@handle), for `Message.mentions` and each member's mention count. */
export const mentions = sqliteTable(
  "mentions",
  {
    seq: integer("seq").notNull(),
    userId: text("user_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seq, t.userId] }), index("mentions_user_seq_idx").on(t.userId, t.seq)],
);

/** Events not yet delivered to every member's UserHub (the outbox of the design). */
export const outbox = sqliteTable("outbox", {
  rev: integer("rev").primaryKey(),
  /**
   * message: a new seq for everyone; members: the member list changed; read/cursor: one member's marker moved;
   * edit: message `seq` was edited or deleted; reaction: its reactions changed.
   */
  kind: text("kind", { enum: ["message", "members", "read", "cursor", "edit", "reaction"] }).notNull(),
  /** For read/cursor: the member concerned; null means every member. */
  userId: text("user_id"),
  seq: integer("seq"),
  createdAt: integer("created_at").notNull(),
});

/** Per-device cursors (the design's cur_max_message_id), owned here (cursors.ts); each member's UserHub holds a reported copy. */
export const deviceCursors = sqliteTable(
  "device_cursors",
  {
    userId: text("user_id").notNull(),
    device: text("device").notNull(),
    seq: integer("seq").notNull(),
    rev: integer("rev").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.device] })],
);

/** Encrypted channels: which MLS leaf is which member's device, as the accepted commits left the tree. */
export const mlsLeaves = sqliteTable("mls_leaves", {
  leaf: integer("leaf").primaryKey(),
  userId: text("user_id").notNull(),
  device: text("device").notNull(),
  /** Seq of the Remove proposal by which this leaf's own user asked it out; any member may then commit it. */
  leaving: integer("leaving"),
});

/** Welcomes of accepted commits, until each added user's UserHub holds its copy. */
export const mlsWelcomes = sqliteTable(
  "mls_welcomes",
  {
    seq: integer("seq").notNull(),
    userId: text("user_id").notNull(),
    epoch: integer("epoch").notNull(),
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seq, t.userId] })],
);

export type OutboxInsert = typeof outbox.$inferInsert;

/**
 * Uploaded files (bytes in R2 under channels/<channelId>/<id>). An upload
 * counts against its uploader's quota from the moment it is reserved, until
 * the alarm purges it: `expiresAt` is when (a day after upload while unsent,
 * null once a message carries it, now when that message is deleted).
 */
export const attachments = sqliteTable(
  "attachments",
  {
    id: text("id").primaryKey(),
    uploaderId: text("uploader_id").notNull(),
    name: text("name").notNull(),
    type: text("type").notNull(),
    size: integer("size").notNull(),
    width: integer("width"),
    height: integer("height"),
    /** The stored thumbnail's type; null when there is none. */
    thumbType: text("thumb_type"),
    placeholder: text("placeholder"),
    /** False until every byte is in R2. */
    stored: integer("stored", { mode: "boolean" }).notNull().default(false),
    /** The message carrying it, and its place there. */
    seq: integer("seq"),
    position: integer("position"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
  },
  (t) => [index("attachments_seq_idx").on(t.seq), index("attachments_expires_idx").on(t.expiresAt), index("attachments_uploader_idx").on(t.uploaderId)],
);

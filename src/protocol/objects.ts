import * as v from "valibot";
import { AttachmentSchema } from "./attachments";
import { MlsPartSchema } from "./e2ee";

/** The objects of docs/protocol.md, as the server sends them. */
export const UserSchema = v.object({
  id: v.string(),
  handle: v.string(),
  displayName: v.string(),
  createdAt: v.number(),
});
export type User = v.InferOutput<typeof UserSchema>;

/** Who someone is, and no more: people search answers and timeline lines carry this. */
export const UserRefSchema = v.object({ id: v.string(), handle: v.string(), displayName: v.string() });
export type UserRef = v.InferOutput<typeof UserRefSchema>;

/**
 * A timeline line, stored in the channel's order like a message (body ""):
 * names as they were at the time, so history reads the same after a rename or a removal.
 */
export const TimelineEventSchema = v.variant("type", [
  v.object({ type: v.literal("added"), actor: UserRefSchema, user: UserRefSchema }),
  v.object({ type: v.literal("left"), actor: UserRefSchema }),
  v.object({ type: v.literal("removed"), actor: UserRefSchema, user: UserRefSchema }),
  v.object({ type: v.literal("renamed"), actor: UserRefSchema, title: v.string() }),
  /** The creator left (actor): `user`, the longest-standing member, is the group's creator now. */
  v.object({ type: v.literal("creator"), actor: UserRefSchema, user: UserRefSchema }),
]);
export type TimelineEvent = v.InferOutput<typeof TimelineEventSchema>;

export const ChannelKindSchema = v.picklist(["dm", "group"]);
export type ChannelKind = v.InferOutput<typeof ChannelKindSchema>;

export const ChannelSchema = v.object({
  id: v.string(),
  kind: ChannelKindSchema,
  title: v.string(),
  members: v.array(UserSchema),
  createdAt: v.number(),
  /** A group's creator: the one member who may remove others. */
  creatorId: v.optional(v.string()),
  /** End-to-end encrypted (MLS), for good: the server holds ciphertext only. */
  encrypted: v.optional(v.literal(true)),
});
export type Channel = v.InferOutput<typeof ChannelSchema>;

export const ReactionSchema = v.object({ emoji: v.string(), userIds: v.array(v.string()) });
export type Reaction = v.InferOutput<typeof ReactionSchema>;

/** The quoted start of the message a reply answers, as it is now (a deleted one quotes nothing). */
export const ReplyPreviewSchema = v.object({
  seq: v.number(),
  senderId: v.string(),
  body: v.string(),
  deleted: v.optional(v.literal(true)),
});
export type ReplyPreview = v.InferOutput<typeof ReplyPreviewSchema>;

export const MessageSchema = v.object({
  id: v.string(),
  seq: v.number(),
  channelId: v.string(),
  senderId: v.string(),
  body: v.string(),
  clientMsgId: v.string(),
  createdAt: v.number(),
  editedAt: v.optional(v.number()),
  deleted: v.optional(v.literal(true)),
  replyTo: v.optional(v.number()),
  replyPreview: v.optional(ReplyPreviewSchema),
  mentions: v.optional(v.array(v.string())),
  reactions: v.optional(v.array(ReactionSchema)),
  /** Change cursor: bumps on every edit, delete or reaction (see docs/protocol.md). */
  rev: v.optional(v.number()),
  /** Files and photos, in the order sent; left out when there are none. */
  attachments: v.optional(v.array(AttachmentSchema)),
  /** In an encrypted channel: the MLS message (and `body` is ""). */
  mls: v.optional(MlsPartSchema),
  /** A timeline line (member added, left, removed; group renamed) instead of text: never unread, never pushed, never changed. */
  event: v.optional(TimelineEventSchema),
});
export type Message = v.InferOutput<typeof MessageSchema>;

export const SummarySchema = v.object({
  channel: ChannelSchema,
  lastMessage: v.nullable(MessageSchema),
  lastSeq: v.number(),
  readSeq: v.number(),
  unread: v.number(),
  mentions: v.optional(v.number()),
});
export type Summary = v.InferOutput<typeof SummarySchema>;

export const PresenceSchema = v.object({
  userId: v.string(),
  state: v.picklist(["online", "offline"]),
  lastSeenAt: v.number(),
});
export type Presence = v.InferOutput<typeof PresenceSchema>;

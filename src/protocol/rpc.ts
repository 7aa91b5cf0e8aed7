import * as v from "valibot";
import { AttachmentSchema } from "./attachments";
import { KeyPackageCountResponse } from "./e2ee";
import { ErrorBodySchema } from "./errors";
import { ChannelKindSchema, ChannelSchema, MessageSchema, SummarySchema, UserSchema } from "./objects";

/**
 * Shapes that cross Durable Object RPC (Worker → room or hub, room → hub),
 * not the wire: part of the contract between the parts, so they live here.
 * Nothing parses them on the hot path (rooms call every member's hub several
 * times a second); test/rpc-shapes.test.ts checks real calls against them.
 */

/**
 * What an object method that can refuse answers: RPC does not keep error
 * classes, so the refusal travels as data and the Worker unwraps it (src/errors.ts).
 */
export const FailedResultSchema = v.object({ ok: v.literal(false), error: ErrorBodySchema });
export function resultSchema<T extends v.GenericSchema>(value: T) {
  return v.variant("ok", [v.object({ ok: v.literal(true), value }), FailedResultSchema]);
}

// ---- Room → hub: the outbox drain ----

/** A new message as the UserHub needs it: for push and mention counts. */
export const DeliveredMessageSchema = v.object({
  seq: v.number(),
  senderId: v.string(),
  body: v.string(),
  mentions: v.optional(v.array(v.string())),
  /** Names and types only, for the push preview of a message without text. */
  attachments: v.optional(v.array(v.pick(AttachmentSchema, ["name", "type"]))),
});
export type DeliveredMessage = v.InferOutput<typeof DeliveredMessageSchema>;

/** A summary whose channel (members and all) is sent only when it changed; the hub keeps the last one. */
export const SummaryUpdateSchema = v.object({ ...SummarySchema.entries, channel: v.optional(ChannelSchema) });
export type SummaryUpdate = v.InferOutput<typeof SummaryUpdateSchema>;

export const DeviceCursorSchema = v.object({ device: v.string(), seq: v.number() });
export type DeviceCursor = v.InferOutput<typeof DeviceCursorSchema>;

/**
 * What a ChannelRoom tells a member's UserHub in one drain. `rev` orders
 * updates from one room; the hub keeps the newest and ignores the rest, so
 * retries and reordering are harmless (idempotent on channel and seq).
 */
export const ChannelUpdateSchema = v.variant("membership", [
  v.object({
    userId: v.string(),
    channelId: v.string(),
    rev: v.number(),
    membership: v.literal("active"),
    summary: SummaryUpdateSchema,
    messages: v.array(DeliveredMessageSchema),
    /**
     * All this member's devices' cursors in the channel, as the room (their
     * owner, src/channel-room/cursors.ts) holds them; sent when one moved or
     * the hub is (re)built, absent otherwise. The hub's copy is replaced whole.
     */
    cursors: v.optional(v.array(DeviceCursorSchema)),
    /** The member sent one of the messages this update covers: from now on the channel counts against their limit. */
    spoke: v.optional(v.literal(true)),
  }),
  v.object({ userId: v.string(), channelId: v.string(), rev: v.number(), membership: v.literal("removed"), channel: ChannelSchema }),
]);
export type ChannelUpdate = v.InferOutput<typeof ChannelUpdateSchema>;

/** The hub's answer to a room's update. */
export const UpdateOutcomeSchema = v.object({
  /** "need-channel" when it was sent a summary without the channel it does not hold. */
  status: v.picklist(["applied", "need-channel"]),
  /**
   * The devices with an inbox socket open on this hub: a member who reads
   * the channel live on every one of them needs no prompt updates; one whose
   * phone shows the inbox while the laptop has the channel open does.
   */
  inboxDevices: v.array(v.string()),
});
export type UpdateOutcome = v.InferOutput<typeof UpdateOutcomeSchema>;

// ---- Worker → room ----

export const CreateChannelInputSchema = v.object({
  channelId: v.string(),
  kind: ChannelKindSchema,
  title: v.string(),
  creatorId: v.string(),
  members: v.array(UserSchema),
  /** End-to-end encrypted: the creator's device is the MLS group's first leaf; a DM's other user joins by commit. */
  encrypted: v.optional(v.object({ device: v.string(), peerId: v.optional(v.string()) })),
});
export type CreateChannelInput = v.InferOutput<typeof CreateChannelInputSchema>;

/** `created` is false when the call found what an earlier one made (the same DM, a resent clientMsgId). */
export const CreatedChannelSchema = v.object({ channel: ChannelSchema, created: v.boolean() });
export type CreatedChannel = v.InferOutput<typeof CreatedChannelSchema>;
export const SentMessageSchema = v.object({ message: MessageSchema, created: v.boolean() });
export type SentMessage = v.InferOutput<typeof SentMessageSchema>;

/** An upload booked before its bytes go to R2. */
export const NewUploadSchema = v.object({ id: v.string(), name: v.string(), type: v.string(), size: v.number() });
export type NewUpload = v.InferOutput<typeof NewUploadSchema>;
/** What the Worker learnt storing the bytes: an image's size, and its thumbnail if it made or took one. */
export const StoredInfoSchema = v.object({
  width: v.optional(v.number()),
  height: v.optional(v.number()),
  thumbType: v.optional(v.string()),
  placeholder: v.optional(v.string()),
});
export type StoredInfo = v.InferOutput<typeof StoredInfoSchema>;
/** The caller's finished, unsent upload exists; whether its channel is encrypted. */
export const UnsentCheckSchema = v.object({ encrypted: v.boolean() });
export type UnsentCheck = v.InferOutput<typeof UnsentCheckSchema>;

// ---- Worker → hub ----

/** "closed" is a DM the user closed; "none" is not in it, as far as the hub knows yet. */
export const ChannelStateSchema = v.picklist(["open", "closed", "none"]);
export type ChannelState = v.InferOutput<typeof ChannelStateSchema>;

/** What one user may spend across all their channels, kept by their hub. */
export const HubBudgetKindSchema = v.picklist(["profile", "channelCreate", "pushSubscribe", "block", "keyPackageClaim", "userSearch", "searchAll"]);
export type HubBudgetKind = v.InferOutput<typeof HubBudgetKindSchema>;

export type KeyPackageCount = v.InferOutput<typeof KeyPackageCountResponse>;

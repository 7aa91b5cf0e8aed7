import * as v from "valibot";
import { AttachmentIdsSchema } from "./attachments";
import { ClientMsgIdSchema, EmojiSchema, LimitSchema, MessageBodySchema, SendTextSchema, SeqSchema } from "./fields";
import { MlsSendFrame } from "./e2ee";
import { ErrorBodySchema } from "./errors";
import { ChannelSchema, MessageSchema, PresenceSchema, UserSchema } from "./objects";

const MessageSeqSchema = v.pipe(SeqSchema, v.minValue(1, "seq must be at least 1"));

/** What a `changed` frame reports. */
export const ChangeKindSchema = v.picklist(["edit", "delete", "reaction"]);
export type ChangeKind = v.InferOutput<typeof ChangeKindSchema>;

/** Frames a client sends on a channel socket. */
export const ChannelClientFrame = v.variant("type", [
  v.object({
    type: v.literal("send"),
    clientMsgId: ClientMsgIdSchema,
    body: SendTextSchema,
    replyTo: v.optional(v.pipe(SeqSchema, v.minValue(1))),
    attachments: v.optional(AttachmentIdsSchema),
  }),
  /** `changesAfter` (a room rev) also asks for a `changes` frame: edits, deletes and reactions of messages up to `after`. */
  v.object({ type: v.literal("sync"), after: SeqSchema, limit: v.optional(LimitSchema), changesAfter: v.optional(SeqSchema) }),
  v.object({ type: v.literal("typing") }),
  v.object({ type: v.literal("read"), seq: SeqSchema }),
  v.object({ type: v.literal("ping") }),
  v.object({ type: v.literal("edit"), seq: MessageSeqSchema, body: MessageBodySchema }),
  v.object({ type: v.literal("delete"), seq: MessageSeqSchema }),
  /** Without `on` it toggles; with it, it sets (idempotent, safe to retry). */
  v.object({ type: v.literal("react"), seq: MessageSeqSchema, emoji: EmojiSchema, on: v.optional(v.boolean()) }),
  /** Encrypted channels only: an MLS application message or commit (docs/protocol.md). */
  MlsSendFrame,
]);
export type ChannelClientFrame = v.InferOutput<typeof ChannelClientFrame>;

/** One frame the server sends on a channel socket (a `frames` frame carries several of these). */
const OneChannelServerFrame = v.variant("type", [
  v.object({
    type: v.literal("welcome"),
    channel: ChannelSchema,
    lastSeq: v.number(),
    presence: v.array(PresenceSchema),
    /** Every member's read marker (docs/protocol.md, channel stream), for "seen by" from the first frame. */
    reads: v.optional(v.array(v.object({ userId: v.string(), seq: v.number() }))),
  }),
  v.object({ type: v.literal("message"), message: MessageSchema }),
  /** Only to sockets opened with `batch=1` or `batch=2`: new messages that left the room together, in seq order. */
  v.object({ type: v.literal("messages"), messages: v.array(MessageSchema) }),
  v.object({ type: v.literal("ack"), clientMsgId: v.string(), message: MessageSchema }),
  v.object({ type: v.literal("history"), messages: v.array(MessageSchema), hasMore: v.boolean() }),
  v.object({ type: v.literal("typing"), userId: v.string() }),
  v.object({ type: v.literal("receipt"), userId: v.string(), seq: v.number() }),
  v.object({ type: v.literal("member"), event: v.picklist(["joined", "left"]), user: UserSchema }),
  /** The channel itself changed (a group renamed): its new state. */
  v.object({ type: v.literal("channel"), channel: ChannelSchema }),
  v.object({ type: v.literal("pong") }),
  /** A message was edited, deleted or reacted to; sent to every socket, the actor's included. */
  v.object({ type: v.literal("changed"), change: ChangeKindSchema, message: MessageSchema }),
  /** Answer to `sync` with `changesAfter`: the new state of changed messages, by rev; `rev` is the next cursor. */
  v.object({ type: v.literal("changes"), messages: v.array(MessageSchema), rev: v.number(), hasMore: v.boolean() }),
  v.object({
    type: v.literal("error"),
    ...ErrorBodySchema.entries,
    /** The `clientMsgId` of a refused `send`. */
    clientMsgId: v.optional(v.string()),
    /** The message an `edit`, `delete` or `react` frame named. */
    seq: v.optional(v.number()),
  }),
]);

/** Frames the server sends on a channel socket. */
export const ChannelServerFrame = v.variant("type", [
  ...OneChannelServerFrame.options,
  /** Only to sockets opened with `batch=2`: frames that left the room together, in the order the room made them. */
  v.object({ type: v.literal("frames"), frames: v.array(OneChannelServerFrame) }),
]);
export type ChannelServerFrame = v.InferOutput<typeof ChannelServerFrame>;

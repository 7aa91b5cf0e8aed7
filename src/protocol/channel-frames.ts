import * as v from "valibot";
import { ClientMsgIdSchema, LimitSchema, MessageBodySchema, SeqSchema } from "./fields";
import { ChannelSchema, MessageSchema, PresenceSchema, UserSchema } from "./objects";

/** Frames a client sends on a channel socket. */
export const ChannelClientFrame = v.variant("type", [
  v.object({
    type: v.literal("send"),
    clientMsgId: ClientMsgIdSchema,
    body: MessageBodySchema,
    replyTo: v.optional(v.pipe(SeqSchema, v.minValue(1))),
  }),
  v.object({ type: v.literal("sync"), after: SeqSchema, limit: v.optional(LimitSchema) }),
  v.object({ type: v.literal("typing") }),
  v.object({ type: v.literal("read"), seq: SeqSchema }),
  v.object({ type: v.literal("ping") }),
]);
export type ChannelClientFrame = v.InferOutput<typeof ChannelClientFrame>;

/** Frames the server sends on a channel socket. */
export const ChannelServerFrame = v.variant("type", [
  v.object({ type: v.literal("welcome"), channel: ChannelSchema, lastSeq: v.number(), presence: v.array(PresenceSchema) }),
  v.object({ type: v.literal("message"), message: MessageSchema }),
  v.object({ type: v.literal("ack"), clientMsgId: v.string(), message: MessageSchema }),
  v.object({ type: v.literal("history"), messages: v.array(MessageSchema), hasMore: v.boolean() }),
  v.object({ type: v.literal("typing"), userId: v.string() }),
  v.object({ type: v.literal("receipt"), userId: v.string(), seq: v.number() }),
  v.object({ type: v.literal("member"), event: v.picklist(["joined", "left"]), user: UserSchema }),
  v.object({ type: v.literal("pong") }),
  v.object({
    type: v.literal("error"),
    code: v.string(),
    message: v.string(),
    clientMsgId: v.optional(v.string()),
    retryAfterMs: v.optional(v.number()),
  }),
]);
export type ChannelServerFrame = v.InferOutput<typeof ChannelServerFrame>;

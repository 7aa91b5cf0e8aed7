import * as v from "valibot";
import { ChannelSchema, MessageSchema, PresenceSchema, SummarySchema, UserSchema } from "../protocol";

/** Envelopes of the HTTP answers of docs/protocol.md, built from the protocol's object schemas. */
export const AuthResponse = v.object({ user: UserSchema, token: v.string() });
export const UserResponse = v.object({ user: UserSchema });
export const UsersResponse = v.object({ users: v.array(UserSchema) });
export const ChannelResponse = v.object({ channel: ChannelSchema });
export const ChannelsResponse = v.object({ channels: v.array(SummarySchema) });
export const MessagesPage = v.object({ messages: v.array(MessageSchema), hasMore: v.boolean() });
export type MessagesPage = v.InferOutput<typeof MessagesPage>;
export const MessageResponse = v.object({ message: MessageSchema });
export const SummaryResponse = v.object({ summary: SummarySchema });
export const SearchResponse = v.object({ messages: v.array(MessageSchema) });
/** Additions of docs/protocol.md: the change cursor and what a device missed. */
export const ChangesPage = v.object({ messages: v.array(MessageSchema), rev: v.number(), hasMore: v.boolean() });
export type ChangesPage = v.InferOutput<typeof ChangesPage>;
export const MissedResponse = v.object({
  channels: v.array(v.object({ channelId: v.string(), cursor: v.number(), lastSeq: v.number() })),
});
export type Missed = v.InferOutput<typeof MissedResponse>["channels"];
export const PresenceResponse = v.object({ presence: v.array(PresenceSchema) });
export const PushKeyResponse = v.object({ publicKey: v.string() });

/** The error body every failed request carries. */
export const ErrorResponse = v.object({
  error: v.object({ code: v.string(), message: v.string(), retryAfterMs: v.optional(v.number()) }),
});

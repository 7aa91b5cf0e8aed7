import * as v from "valibot";
import { ChannelSchema, MessageSchema, PresenceSchema, SummarySchema, UserRefSchema, UserSchema } from "./objects";

/**
 * One schema per HTTP answer of docs/protocol.md. The server's handlers
 * return these (checked by type and, in the tests, at run time), the SDK
 * validates what it receives against them, and the OpenAPI document is
 * generated from them.
 */
export const AuthResponse = v.object({ user: UserSchema, token: v.string() });
export const UserResponse = v.object({ user: UserSchema });
export const UsersResponse = v.object({ users: v.array(UserSchema) });
/** People search: who they are, and nothing more. */
export const UserRefsResponse = v.object({ users: v.array(UserRefSchema) });
export const ChannelResponse = v.object({ channel: ChannelSchema });
export const ChannelsResponse = v.object({ channels: v.array(SummarySchema) });
/** A page of history or of search results. */
export const MessagesPage = v.object({ messages: v.array(MessageSchema), hasMore: v.boolean() });
export type MessagesPage = v.InferOutput<typeof MessagesPage>;
/** Search of all channels: hits grouped by channel, most recently active channel first. */
export const SearchAllResponse = v.object({
  results: v.array(v.object({ channel: ChannelSchema, messages: v.array(MessageSchema), hasMore: v.boolean() })),
  /** Channels searched; `skipped` were not (encrypted ones, those past the most recent 50, and any over their search budget). */
  searched: v.number(),
  skipped: v.number(),
});
export type SearchAllResponse = v.InferOutput<typeof SearchAllResponse>;
export const MessageResponse = v.object({ message: MessageSchema });
export const SummaryResponse = v.object({ summary: SummarySchema });
/** Edits, deletes and reactions after a change cursor; `rev` is the next cursor. */
export const ChangesPage = v.object({ messages: v.array(MessageSchema), rev: v.number(), hasMore: v.boolean() });
export type ChangesPage = v.InferOutput<typeof ChangesPage>;
export const MissedChannelSchema = v.object({ channelId: v.string(), cursor: v.number(), lastSeq: v.number() });
export const MissedResponse = v.object({ channels: v.array(MissedChannelSchema) });
export type Missed = v.InferOutput<typeof MissedResponse>["channels"];
export const PresenceResponse = v.object({ presence: v.array(PresenceSchema) });
export const PushKeyResponse = v.object({ publicKey: v.string() });

import type * as v from "valibot";
import type { AuthResponse, ChannelResponse, MessageResponse, MessagesPage, UserResponse } from "../../protocol";

/** Example answers shown in /api/docs; test/openapi.test.ts checks each against its route's schema. */
const alice = { id: "u_AbC123dEf456", handle: "alice", displayName: "Alice", createdAt: 1764633600000 };
const bob = { id: "u_GhI789jKl012", handle: "bob", displayName: "Bob", createdAt: 1764633700000 };
const message = {
  id: "7405012345678901248",
  seq: 42,
  channelId: "d_MnO345pQr678",
  senderId: alice.id,
  body: "See you at 6, @bob?",
  clientMsgId: "c-3f1e",
  createdAt: 1764637200000,
  rev: 57,
  mentions: [bob.id],
  reactions: [{ emoji: "👍", userIds: [bob.id] }],
};

export const EXAMPLES = {
  auth: { user: alice, token: "tFq3x…base64url" } satisfies v.InferOutput<typeof AuthResponse>,
  user: { user: alice } satisfies v.InferOutput<typeof UserResponse>,
  channel: { channel: { id: "d_MnO345pQr678", kind: "dm", title: "", members: [alice, bob], createdAt: 1764636000000 } } satisfies v.InferOutput<typeof ChannelResponse>,
  message: { message } satisfies v.InferOutput<typeof MessageResponse>,
  messagesPage: { messages: [message], hasMore: false } satisfies v.InferOutput<typeof MessagesPage>,
};

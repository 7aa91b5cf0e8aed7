import * as v from "valibot";
import { AttachmentIdsSchema } from "./attachments";
import {
  ChannelIdSchema,
  ClientMsgIdSchema,
  DeviceSchema,
  EmojiSchema,
  DisplayNameSchema,
  HandleSchema,
  LimitSchema,
  MessageBodySchema,
  PasswordSchema,
  QueryIntSchema,
  SeqSchema,
  SendTextSchema,
  TitleSchema,
} from "./fields";
import { MAX_GROUP_MEMBERS, MAX_SEARCH_ALL_PER_CHANNEL, MAX_SEARCH_CHARS, MAX_SEARCH_OFFSET } from "./limits";

/** One schema per HTTP body or query of docs/protocol.md. */
export const SignupBody = v.object({ handle: HandleSchema, password: PasswordSchema, displayName: DisplayNameSchema });
export const LoginBody = v.object({ handle: HandleSchema, password: PasswordSchema });
export const PatchMeBody = v.object({ displayName: DisplayNameSchema });
export const UserSearchQuery = v.object({ q: v.optional(v.pipe(v.string(), v.maxLength(32)), "") });
export const HandleParam = v.object({ handle: HandleSchema });
/** `encrypted` makes the channel end-to-end encrypted for good; `device` is the creator's MLS leaf 0. */
const encryptedFields = { encrypted: v.optional(v.boolean()), device: v.optional(DeviceSchema) };
const deviceWhenEncrypted = <T extends { encrypted?: boolean; device?: string }>() =>
  v.check<T, string>((b) => !b.encrypted || b.device !== undefined, "device: an encrypted channel needs the creating device");
export const DmBody = v.pipe(v.object({ handle: HandleSchema, ...encryptedFields }), deviceWhenEncrypted());
export const GroupBody = v.pipe(v.object({
  ...encryptedFields,
  title: TitleSchema,
  members: v.pipe(v.array(HandleSchema, "members must be an array of handles"), v.maxLength(MAX_GROUP_MEMBERS * 2, "too many members")),
}), deviceWhenEncrypted(), v.check((b) => !b.encrypted || b.members.length === 0, "members: an encrypted group starts with its creator alone; add members by an MLS commit"));
export const AddMemberBody = v.object({ handle: HandleSchema });
export const RenameBody = v.object({ title: TitleSchema });
export const BlockBody = v.object({ handle: HandleSchema });
export const HistoryQuery = v.pipe(
  v.object({
    after: v.optional(QueryIntSchema),
    before: v.optional(QueryIntSchema),
    limit: v.optional(v.pipe(QueryIntSchema, LimitSchema)),
  }),
  v.check((q) => q.after === undefined || q.before === undefined, "give after or before, not both"),
);
export const SendBody = v.object({
  clientMsgId: ClientMsgIdSchema,
  body: SendTextSchema,
  replyTo: v.optional(v.pipe(SeqSchema, v.minValue(1))),
  attachments: v.optional(AttachmentIdsSchema),
});
export const ReadBody = v.object({ seq: SeqSchema });
/** `/channels/:id/messages/:seq`: a seq that cannot exist is as unknown as one that does not (404). */
export const MessageParam = v.object({ id: ChannelIdSchema, seq: v.pipe(QueryIntSchema, v.minValue(1)) });
export const EditBody = v.object({ body: MessageBodySchema });
export const ReactBody = v.object({ emoji: EmojiSchema, on: v.optional(v.boolean()) });
export const ChangesQuery = v.object({
  after: v.optional(QueryIntSchema, "0"),
  through: v.optional(QueryIntSchema),
  limit: v.optional(v.pipe(QueryIntSchema, LimitSchema)),
});
export const SearchQuery = v.object({
  q: v.pipe(v.string("q is required"), v.maxLength(MAX_SEARCH_CHARS, `q must be at most ${MAX_SEARCH_CHARS} characters`)),
  limit: v.optional(v.pipe(QueryIntSchema, LimitSchema)),
  offset: v.optional(v.pipe(QueryIntSchema, v.maxValue(MAX_SEARCH_OFFSET, `offset must be at most ${MAX_SEARCH_OFFSET}`))),
});
/** Search of all one's channels: `limit` hits per channel (default 5). */
export const SearchAllQuery = v.object({
  q: SearchQuery.entries.q,
  limit: v.optional(v.pipe(QueryIntSchema, v.minValue(1, "limit must be at least 1"), v.maxValue(MAX_SEARCH_ALL_PER_CHANNEL, `limit must be at most ${MAX_SEARCH_ALL_PER_CHANNEL}`))),
});
export const PresenceQuery = v.object({
  ids: v.pipe(
    v.string("ids is required"),
    v.transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
    v.array(v.pipe(v.string(), v.maxLength(64))),
    v.maxLength(200, "at most 200 ids"),
  ),
});
/**
 * `batch=1`: the client takes `messages` frames (several messages in one);
 * `batch=2`: also `frames` frames (any frames that leave the room together in
 * one). docs/protocol.md, channel stream.
 */
export const SocketQuery = v.object({ device: DeviceSchema, batch: v.optional(v.picklist(["1", "2"], "batch must be 1 or 2 when given")) });
/**
 * D1's read-replication bookmark: answered on every HTTP response, sent back by
 * clients so their next read sees at least their own writes. Opaque; checked
 * only for shape, so a made-up one cannot smuggle anything into a header.
 */
export const BOOKMARK_HEADER = "X-D1-Bookmark";
export const BookmarkSchema = v.pipe(v.string(), v.maxLength(256, "X-D1-Bookmark is too long"), v.regex(/^[A-Za-z0-9_.:-]+$/, "X-D1-Bookmark is not a bookmark"));
export const PushSubscriptionBody = v.object({
  device: DeviceSchema,
  subscription: v.object({
    endpoint: v.pipe(v.string(), v.url("endpoint must be a URL"), v.maxLength(2048)),
    expirationTime: v.optional(v.nullable(v.number())),
    keys: v.object({
      p256dh: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{80,100}={0,2}$/, "p256dh must be a base64url P-256 public key")),
      auth: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{16,32}={0,2}$/, "auth must be a base64url 16-byte secret")),
    }),
  }),
});
export type PushSubscriptionInput = v.InferOutput<typeof PushSubscriptionBody>["subscription"];
export const DeviceParam = v.object({ device: DeviceSchema });

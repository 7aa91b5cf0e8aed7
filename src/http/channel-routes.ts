import { Hono } from "hono";
import * as v from "valibot";
import { dmChannelId, encryptedDmChannelId, groupChannelId } from "../channel-room/channel-id";
import type { AppEnv } from "../env";
import { AppError, unwrap } from "../errors";
import { AddMemberBody, ChannelIdSchema, ChannelResponse, ChannelsResponse, DeviceSchema, DmBody, GroupBody, HandleSchema, HistoryQuery, MAX_GROUP_MEMBERS, MessageResponse, MessagesPage, MlsGroupResponse, MlsSendBody, ReadBody, RenameBody, SendBody, SummaryResponse } from "../protocol";
import { channelRoom } from "../channel-room/stub";
import { userHub } from "../user-hub/stub";
import { hintForRequest } from "../placement/location-hint";
import { idKey } from "../placement/signed-id";
import { getUserByHandle, getUserById, getUsersByHandles } from "../accounts/users";
import { requireAuth } from "./auth-middleware";
import { assertNotBlockedBy, createReserved } from "./consent";
import { clientAddress } from "./client-address";
import { spendAddressBudget } from "../accounts/address-budget";
import { readConfig } from "../config";
import { refuseKnownFlooder } from "./flood-memory";
import { forwardUpgrade } from "./forward-socket";
import { knownChannel } from "./known-channel";
import { messageRoutes } from "./message-routes";
import { validate } from "./validate";
import { EXAMPLES } from "./api-docs/examples";
import { doc } from "./api-docs/route-doc";

/** An id that cannot be a channel is as unknown as one the caller is not in: 404, not 400. */
const channelParam = validate("param", v.object({ id: ChannelIdSchema }), "not_found");
const MemberParam = v.object({ id: ChannelIdSchema, handle: HandleSchema });


export const dmRoutes = new Hono<AppEnv>().use(requireAuth).post("/", doc({ tag: "Channels", summary: "The one DM with another user (201 when new)", answers: { 200: ChannelResponse, 201: ChannelResponse }, errors: ["forbidden", "not_found", "channel_limit", "rate_limited"], examples: { 201: EXAMPLES.channel } }), validate("json", DmBody), async (c) => {
  const db = c.var.db;
  const body = c.req.valid("json");
  const other = await getUserByHandle(db, body.handle);
  if (other.id === c.var.userId) throw new AppError("bad_request", "a direct message needs another user");
  const me = await getUserById(db, c.var.userId);
  await assertNotBlockedBy(c.env, me.id, [other]);
  // An encrypted DM is a room of its own: the pair's plaintext DM stays as it is.
  const channelId = await (body.encrypted ? encryptedDmChannelId : dmChannelId)(await idKey(c.env), me.id, other.id);
  const hub = userHub(c.env, me.id);
  // Only a DM new to the caller (or one they closed) meets the budget and the limit, checked
  // in their hub before any room is named; an open one is returned as it is.
  const known = await hub.channelState(me.id, channelId);
  if (known === "open") return c.json({ channel: unwrap(await channelRoom(c.env, channelId).getChannel(me.id)) }, 200);
  if (known === "none") unwrap(await hub.spend("channelCreate"));
  const encrypted = body.encrypted ? { device: body.device!, peerId: other.id } : undefined;
  // An encrypted DM starts with its creator's device alone; the other user joins by the first commit.
  const room = channelRoom(c.env, channelId);
  const { channel, created } = await createReserved(c.env, me.id, channelId, () => room.create({ channelId, kind: "dm", title: "", creatorId: me.id, members: encrypted ? [me] : [me, other], encrypted }));
  // A DM opened with someone the caller blocked still refuses that person's sends.
  if (created && (await hub.hasBlocked(other.id))) await room.setPeerBlock(me.id, true);
  return c.json({ channel }, created ? 201 : 200);
});

export const channelRoutes = new Hono<AppEnv>()
  // Before auth: a flooder's reconnect loop is refused without a D1 read.
  .use("/:id/socket", refuseKnownFlooder)
  .use(requireAuth)
  .use("/:id/*", knownChannel)
  .post("/", doc({ tag: "Channels", summary: "Create a group", answers: { 201: ChannelResponse }, errors: ["forbidden", "not_found", "member_limit", "channel_limit", "rate_limited"] }), validate("json", GroupBody), async (c) => {
    const { title, members, encrypted, device } = c.req.valid("json");
    const db = c.var.db;
    const me = await getUserById(db, c.var.userId);
    const others = await getUsersByHandles(db, members.filter((h) => h !== me.handle));
    if (others.length + 1 > MAX_GROUP_MEMBERS) throw new AppError("member_limit", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
    await assertNotBlockedBy(c.env, me.id, others);
    await spendAddressBudget(db, "groupCreate", clientAddress(c.req.raw), readConfig(c.env).groupCreateAddressBudget);
    unwrap(await userHub(c.env, me.id).spend("channelCreate"));
    const channelId = await groupChannelId(await idKey(c.env), hintForRequest(c.req.raw));
    const { channel } = await createReserved(c.env, me.id, channelId, () => channelRoom(c.env, channelId).create({ channelId, kind: "group", title, creatorId: me.id, members: [me, ...others], encrypted: encrypted ? { device: device! } : undefined }));
    return c.json({ channel }, 201);
  })
  .get("/", doc({ tag: "Channels", summary: "My channels, most recent activity first", answers: { 200: ChannelsResponse } }), async (c) => c.json({ channels: await userHub(c.env, c.var.userId).listChannels(c.var.userId) }))
  .get("/:id", doc({ tag: "Channels", summary: "A channel I am in", answers: { 200: ChannelResponse }, errors: ["not_found"] }), channelParam, async (c) => {
    return c.json({ channel: unwrap(await channelRoom(c.env, c.req.valid("param").id).getChannel(c.var.userId)) });
  })
  .patch("/:id", doc({ tag: "Channels", summary: "Rename a group (members only)", answers: { 200: ChannelResponse }, errors: ["not_found", "rate_limited"] }), channelParam, validate("json", RenameBody), async (c) => {
    return c.json({ channel: unwrap(await channelRoom(c.env, c.req.valid("param").id).rename(c.var.userId, c.req.valid("json").title)) });
  })
  .post("/:id/members", doc({ tag: "Channels", summary: "Add a member to a group", answers: { 200: ChannelResponse }, errors: ["forbidden", "not_found", "member_limit", "rate_limited"] }), channelParam, validate("json", AddMemberBody), async (c) => {
    const room = channelRoom(c.env, c.req.valid("param").id);
    // Membership first: a non-member learns nothing, not even that the limit applies.
    const channel = unwrap(await room.getChannel(c.var.userId));
    const user = await getUserByHandle(c.var.db, c.req.valid("json").handle);
    if (channel.kind === "group" && channel.members.some((m) => m.id === user.id)) return c.json({ channel });
    // Not counted against the added user's channel limit: only channels they create or speak in are.
    await assertNotBlockedBy(c.env, c.var.userId, [user]);
    return c.json({ channel: unwrap(await room.addMember(c.var.userId, user)) });
  })
  .post("/:id/close", doc({ tag: "Channels", summary: "Close a DM: out of my inbox and channel count until a new message arrives", answers: { 204: null }, errors: ["not_found"] }), channelParam, async (c) => {
    unwrap(await userHub(c.env, c.var.userId).closeDm(c.var.userId, c.req.valid("param").id));
    return c.body(null, 204);
  })
  .delete("/:id/members/:handle", doc({ tag: "Channels", summary: "Remove a member (or leave)", answers: { 204: null }, errors: ["forbidden", "not_found", "rate_limited"] }), validate("param", MemberParam), async (c) => {
    const { id, handle } = c.req.valid("param");
    const room = channelRoom(c.env, id);
    // Resolve membership first, so a non-member learns nothing about handles either.
    unwrap(await room.getChannel(c.var.userId));
    const target = await getUserByHandle(c.var.db, handle);
    unwrap(await room.removeMember(c.var.userId, target.id));
    return c.body(null, 204);
  })
  .get("/:id/messages", doc({ tag: "Messages", summary: "A page of history, after or before a seq", answers: { 200: MessagesPage }, errors: ["not_found", "rate_limited"], examples: { 200: EXAMPLES.messagesPage } }), channelParam, validate("query", HistoryQuery), async (c) => {
    return c.json(unwrap(await channelRoom(c.env, c.req.valid("param").id).history(c.var.userId, c.req.valid("query"))));
  })
  .post("/:id/messages", doc({ tag: "Messages", summary: "Send a message (200 with the first copy on a repeated clientMsgId)", answers: { 200: MessageResponse, 201: MessageResponse }, errors: ["not_found", "rate_limited"], examples: { 201: EXAMPLES.message } }), channelParam, validate("json", SendBody), async (c) => {
    const { message, created } = unwrap(await channelRoom(c.env, c.req.valid("param").id).send(c.var.userId, c.req.valid("json")));
    return c.json({ message }, created ? 201 : 200);
  })
  .post("/:id/read", doc({ tag: "Channels", summary: "Move my read marker forward", answers: { 200: SummaryResponse }, errors: ["not_found", "rate_limited"] }), channelParam, validate("json", ReadBody), async (c) => {
    const summary = unwrap(await channelRoom(c.env, c.req.valid("param").id).markRead(c.var.userId, c.req.valid("json").seq));
    return c.json({ summary });
  })
  .post("/:id/mls", doc({ tag: "End-to-end encryption", summary: "Send an MLS message (a commit or application message)", answers: { 200: MessageResponse, 201: MessageResponse }, errors: ["not_found", "conflict", "rate_limited"] }), channelParam, validate("json", v.object({ device: DeviceSchema, ...MlsSendBody.entries })), async (c) => {
    const { device, ...input } = c.req.valid("json");
    const { message, created } = unwrap(await channelRoom(c.env, c.req.valid("param").id).sendMls(c.var.userId, device, input));
    return c.json({ message }, created ? 201 : 200);
  })
  .get("/:id/mls", doc({ tag: "End-to-end encryption", summary: "The channel's MLS epoch and leaves", answers: { 200: MlsGroupResponse }, errors: ["not_found"] }), channelParam, async (c) => c.json(unwrap(await channelRoom(c.env, c.req.valid("param").id).mlsGroup(c.var.userId))))
  .get("/:id/socket", doc({ tag: "Sockets", summary: "Open the channel stream (WebSocket; frames in /api/asyncapi.json)", answers: { 101: null }, errors: ["forbidden", "not_found", "rate_limited"] }), channelParam, (c) => forwardUpgrade(c, channelRoom(c.env, c.req.valid("param").id)))
  .route("/", messageRoutes);

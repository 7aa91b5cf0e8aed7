import { eq, sql } from "drizzle-orm";
import { AppError } from "../errors";
import type { Inbound } from "../mls/inbound";
import { MAX_GROUP_MEMBERS, type Message, type MlsSendInput, type User } from "../protocol";
import { activeMembers, upsertMember } from "./membership";
import { toMessage, toOneMessage } from "./message-view";
import { assertWithinRate, storeRow, type SendContext } from "./messages";
import { leafOf, listLeaves, markLeaving, nextLeaves, replaceLeaves } from "./mls-leaves";
import { lastMessage, recordChange, requireMember, requireMeta, type MessageRow, type MetaRow, type RoomDb } from "./room-db";
import { claimAttachments, releaseAttachments } from "./attachments";
import { members, messages, meta as metaTable, mlsWelcomes } from "./schema";
import { statements } from "./statements";

export interface MlsAccepted {
  message: Message;
  created: boolean;
  /** Users who became members (a device of theirs was added). */
  joined: User[];
  /** Users who are no longer members (their last device was removed). */
  left: User[];
  /** Users with a Welcome waiting for their UserHub. */
  welcomed: string[];
}

/** The room's answer when a channel is encrypted and a plaintext path is asked for. */
export function refuseIfEncrypted(m: MetaRow, what: string): void {
  if (m.encrypted) throw new AppError("bad_request", `this channel is end-to-end encrypted: ${what}`);
}

/**
 * Stores one MLS message of an encrypted channel, as the delivery service of
 * RFC 9420 §16.1: application messages as ciphertext; a commit only if it is
 * built on the channel's current epoch (so exactly one commit wins each
 * epoch), from a device in the group, with a membership effect the sender may
 * make. The member list follows the group's leaves in the same write.
 * `profiles` holds D1 profiles of users the commit adds. Call inside one
 * storage transaction.
 */
export function acceptMls(db: RoomDb, ctx: SendContext, input: MlsSendInput, inbound: Inbound, profiles: Map<string, User>): MlsAccepted {
  const m = requireMeta(db);
  if (!m.encrypted) throw new AppError("bad_request", "this channel is not end-to-end encrypted");
  requireMember(db, ctx.userId);
  const existing = statements(db).byClientMsgId.get({ userId: ctx.userId, clientMsgId: input.clientMsgId });
  if (existing) return { message: toOneMessage(db, ctx.channelId, existing), created: false, joined: [], left: [], welcomed: [] };
  const senderLeaf = ctx.device === undefined ? undefined : leafOf(db, ctx.userId, ctx.device);
  if (senderLeaf === undefined) throw new AppError("forbidden", "this device is not in the channel's MLS group");
  assertWithinRate(db, ctx);
  const last = lastMessage(db);
  const seq = (last?.seq ?? 0) + 1;
  if (inbound.kind === "application") {
    if (inbound.epoch > m.epoch) throw new AppError("bad_request", `data: epoch ${inbound.epoch} is ahead of the channel's (${m.epoch})`);
    // Sent in an older epoch it would be readable by devices a later commit removed: the sender catches up and encrypts again.
    if (inbound.epoch < m.epoch) throw new AppError("conflict", `stale epoch: encrypted in epoch ${inbound.epoch}, the channel is at epoch ${m.epoch}; process the newer commits and retry`);
    if (input.welcome !== undefined) throw new AppError("bad_request", "welcome: only a commit that adds devices carries one");
    if (input.changeOf !== undefined && input.changeOf >= seq) throw new AppError("bad_request", "changeOf must name an earlier message");
    const files = input.attachments ?? [];
    if (files.length > 0 && input.changeOf !== undefined) throw new AppError("bad_request", "attachments: a change of a message carries none");
    if (input.dropAttachments && input.changeOf === undefined) throw new AppError("bad_request", "dropAttachments goes with changeOf, the deleted message");
    if (input.dropAttachments) requireOwnMessage(db, ctx.userId, input.changeOf!);
    const row = insertRow(db, ctx, input, seq, last, "application", inbound.epoch);
    if (files.length > 0) claimAttachments(db, ctx.userId, files, seq, ctx.now);
    if (input.dropAttachments) releaseAttachments(db, input.changeOf!, ctx.now);
    return { message: files.length > 0 ? toOneMessage(db, ctx.channelId, row) : toMessage(ctx.channelId, row), created: true, joined: [], left: [], welcomed: [] };
  }
  if (inbound.kind === "proposal") {
    if (inbound.epoch !== m.epoch) throw new AppError("conflict", `stale proposal: built on epoch ${inbound.epoch}, the channel is at epoch ${m.epoch}; process the newer commits and retry`);
    if (inbound.senderLeaf !== senderLeaf) throw new AppError("forbidden", "data: the proposal's sender is not this device's leaf");
    if (input.welcome !== undefined || input.changeOf !== undefined || input.attachments || input.dropAttachments) throw new AppError("bad_request", "a proposal carries no welcome, changeOf or attachments");
    const row = insertRow(db, ctx, input, seq, last, "proposal", inbound.epoch);
    markLeaving(db, inbound.removed, seq);
    return { message: toMessage(ctx.channelId, row), created: true, joined: [], left: [], welcomed: [] };
  }
  if (inbound.epoch !== m.epoch) throw new AppError("conflict", `stale commit: built on epoch ${inbound.epoch}, the channel is at epoch ${m.epoch}; process the newer commits and retry`);
  if (inbound.senderLeaf !== senderLeaf) throw new AppError("forbidden", "data: the commit's sender is not this device's leaf");
  if (input.changeOf !== undefined || input.attachments || input.dropAttachments) throw new AppError("bad_request", "a commit carries no changeOf or attachments");
  const effect = membershipEffect(db, m, ctx.userId, senderLeaf, inbound, profiles);
  if (effect.addedUsers.length > 0 && input.welcome === undefined) throw new AppError("bad_request", "welcome: a commit that adds devices must carry their Welcome");
  if (effect.addedUsers.length === 0 && input.welcome !== undefined) throw new AppError("bad_request", "welcome: only a commit that adds devices carries one");

  const row = insertRow(db, ctx, input, seq, last, "commit", inbound.epoch);
  replaceLeaves(db, effect.leaves);
  db.update(metaTable).set({ epoch: m.epoch + 1 }).run();
  for (const u of effect.joined) upsertMember(db, u, seq, ctx.now);
  const left = effect.left.map((userId) => requireMember(db, userId));
  for (const l of left) db.update(members).set({ active: false }).where(eq(members.userId, l.userId)).run();
  if (effect.joined.length > 0 || left.length > 0) recordChange(db, { kind: "members" }, ctx.now);
  for (const userId of effect.addedUsers) {
    db.insert(mlsWelcomes).values({ seq, userId, epoch: inbound.epoch + 1, data: input.welcome!, createdAt: row.createdAt }).run();
  }
  return {
    message: toMessage(ctx.channelId, row),
    created: true,
    joined: effect.joined,
    left: left.map((l) => ({ id: l.userId, handle: l.handle, displayName: l.displayName, createdAt: l.userCreatedAt })),
    welcomed: effect.addedUsers,
  };
}

/**
 * Who a commit lets in and out, refused if the sender may not: in a group any
 * member may add, the creator may remove anyone, others only their own
 * devices; in a DM only the two users' devices belong.
 */
function membershipEffect(db: RoomDb, m: MetaRow, actorId: string, senderLeaf: number, inbound: Extract<Inbound, { kind: "commit" }>, profiles: Map<string, User>) {
  const current = listLeaves(db);
  for (const leaf of inbound.removes) {
    const target = current.find((l) => l.leaf === leaf);
    if (!target) throw new AppError("bad_request", `data: leaf ${leaf} is not in the group`);
    if (leaf === senderLeaf) throw new AppError("bad_request", "data: a device cannot commit its own removal");
    // A leaf its own device asked out (Remove proposal) may be removed by any member: that is how one leaves.
    if (target.leaving !== undefined) continue;
    if (target.userId !== actorId && actorId !== m.creatorId) throw new AppError("forbidden", "only the channel's creator can remove others");
    if (target.userId !== actorId && m.kind === "dm") throw new AppError("forbidden", "a DM's members cannot be removed");
  }
  for (const a of inbound.adds) {
    if (current.some((l) => l.userId === a.userId && l.device === a.device && !inbound.removes.includes(l.leaf))) {
      throw new AppError("bad_request", "data: that device is already in the group");
    }
    if (m.kind === "dm" && a.userId !== m.creatorId && a.userId !== m.peerId) throw new AppError("forbidden", "a DM holds only its two users");
  }
  const leaves = nextLeaves(current, inbound.removes, inbound.adds);
  const memberIds = new Set(activeMembers(db).map((r) => r.userId));
  const after = new Set(leaves.map((l) => l.userId));
  const joined: User[] = [];
  for (const id of after) {
    if (memberIds.has(id)) continue;
    const profile = profiles.get(id);
    if (!profile) throw new AppError("not_found", "data: an added device belongs to no known user");
    joined.push(profile);
  }
  if (after.size > MAX_GROUP_MEMBERS) throw new AppError("member_limit", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
  const left = [...memberIds].filter((id) => !after.has(id));
  return { leaves, joined, left, addedUsers: [...new Set(inbound.adds.map((a) => a.userId))] };
}

/** Only a message's sender deletes it, so only they may have its files dropped. */
function requireOwnMessage(db: RoomDb, userId: string, seq: number): void {
  const row = db.select({ senderId: messages.senderId, mlsKind: messages.mlsKind }).from(messages).where(eq(messages.seq, seq)).get();
  if (!row || row.mlsKind !== "application") throw new AppError("bad_request", "changeOf must name an application message");
  if (row.senderId !== userId) throw new AppError("forbidden", "only a message's sender may drop its attachments");
}

function insertRow(db: RoomDb, ctx: SendContext, input: MlsSendInput, seq: number, last: MessageRow | undefined, kind: "application" | "commit" | "proposal", epoch: number): MessageRow {
  return storeRow(db, ctx, last, { seq, body: "", clientMsgId: input.clientMsgId, replyTo: null, mlsKind: kind, mlsData: input.data, epoch, changeOf: input.changeOf ?? null });
}

/** Welcomes not yet in their users' hubs, oldest first. */
export function pendingWelcomes(db: RoomDb) {
  return db.select().from(mlsWelcomes).orderBy(sql`seq`).all();
}

export function welcomeDelivered(db: RoomDb, seq: number, userId: string): void {
  db.delete(mlsWelcomes).where(sql`${mlsWelcomes.seq} = ${seq} AND ${mlsWelcomes.userId} = ${userId}`).run();
}

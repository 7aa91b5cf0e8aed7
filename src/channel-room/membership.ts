import { and, asc, eq, ne, sql } from "drizzle-orm";
import type { Budget } from "../budgets/budget";
import { AppError } from "../errors";
import { CLOSE_CODES, MAX_GROUP_MEMBERS, type Channel, type CreateChannelInput, type Message, type TimelineEvent, type User } from "../protocol";
import type { Fanout } from "./fanout";
import type { SendContext } from "./messages";
import { appendAdded, appendEvent, userRef } from "./timeline";
import { lastMessage, readMeta, recordChange, requireMember, requireMeta, type MemberRow, type MetaRow, type RoomDb } from "./room-db";
import { refuseIfEncrypted } from "./mls-messages";
import { members, meta, mlsLeaves } from "./schema";

export function memberToUser(m: MemberRow): User {
  return { id: m.userId, handle: m.handle, displayName: m.displayName, createdAt: m.userCreatedAt };
}

export function activeMembers(db: RoomDb): MemberRow[] {
  // Same joinedAt for everyone created together: then insertion order (rowid), creator first.
  return db.select().from(members).where(eq(members.active, true)).orderBy(asc(members.joinedAt), sql`rowid`).all();
}

export function toChannel(db: RoomDb, m: MetaRow = requireMeta(db)): Channel {
  const channel: Channel = { id: m.channelId, kind: m.kind, title: m.title, members: activeMembers(db).map(memberToUser), createdAt: m.createdAt };
  if (m.kind === "group") channel.creatorId = m.creatorId;
  if (m.encrypted) channel.encrypted = true;
  return channel;
}

/** Creates the channel once; for a DM, asking again returns the same channel. */
export function createChannel(db: RoomDb, input: CreateChannelInput, now: number): { created: boolean } {
  const existing = readMeta(db);
  if (existing) {
    if (existing.kind === "dm" && input.kind === "dm") {
      const member = db.select().from(members).where(and(eq(members.userId, input.creatorId), eq(members.active, true))).get();
      if (existing.encrypted && !member) throw new AppError("conflict", "this encrypted DM exists; you join it when its creator adds your devices");
      return { created: false };
    }
    throw new AppError("conflict", "channel already exists");
  }
  const unique = [...new Map(input.members.map((u) => [u.id, u])).values()];
  if (unique.length > MAX_GROUP_MEMBERS) throw new AppError("member_limit", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
  db.insert(meta)
    .values({ key: 1, channelId: input.channelId, kind: input.kind, title: input.kind === "dm" ? "" : input.title, creatorId: input.creatorId, createdAt: now, rev: 0,
      encrypted: input.encrypted !== undefined, peerId: input.encrypted?.peerId ?? null })
    .run();
  if (input.encrypted) db.insert(mlsLeaves).values({ leaf: 0, userId: input.creatorId, device: input.encrypted.device }).run();
  for (const u of unique) upsertMember(db, u, 0, now);
  recordChange(db, { kind: "members" }, now);
  return { created: true };
}

export function upsertMember(db: RoomDb, user: User, readSeq: number, now: number): void {
  const profile = { handle: user.handle, displayName: user.displayName, userCreatedAt: user.createdAt };
  db.insert(members)
    .values({ userId: user.id, ...profile, joinedAt: now, readSeq, active: true })
    .onConflictDoUpdate({ target: members.userId, set: { ...profile, joinedAt: now, active: true, readSeq: sql`max(${members.readSeq}, ${readSeq})` } })
    .run();
}

function requireGroup(m: MetaRow, what = "members can only be changed"): void {
  if (m.kind !== "group") throw new AppError("bad_request", `${what} in a group`);
}

/** A member's profile changed in D1: refresh the room's copy, so channels show the new name. */
export function refreshProfile(db: RoomDb, user: User, now: number): boolean {
  const row = db.select().from(members).where(eq(members.userId, user.id)).get();
  if (!row?.active || (row.handle === user.handle && row.displayName === user.displayName)) return false;
  db.update(members).set({ handle: user.handle, displayName: user.displayName }).where(eq(members.userId, user.id)).run();
  recordChange(db, { kind: "members" }, now);
  return true;
}

/** Any member may add someone; a new member starts with nothing unread. */
export function addMember(db: RoomDb, actorId: string, user: User, now: number): { added: boolean } {
  const m = requireMeta(db);
  requireMember(db, actorId);
  requireGroup(m);
  refuseIfEncrypted(m, "members join by an MLS commit");
  const current = db.select().from(members).where(eq(members.userId, user.id)).get();
  if (current?.active) return { added: false };
  const count = db.select({ n: sql<number>`count(*)` }).from(members).where(eq(members.active, true)).get()?.n ?? 0;
  if (count >= MAX_GROUP_MEMBERS) throw new AppError("member_limit", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
  upsertMember(db, user, lastMessage(db)?.seq ?? 0, now);
  recordChange(db, { kind: "members" }, now);
  return { added: true };
}

/** Any member renames a group; the same title again changes nothing. */
export function renameChannel(db: RoomDb, actorId: string, title: string, now: number): { renamed: boolean } {
  const m = requireMeta(db);
  requireMember(db, actorId);
  requireGroup(m, "a title can only be set");
  if (m.title === title) return { renamed: false };
  db.update(meta).set({ title }).run();
  recordChange(db, { kind: "members" }, now);
  return { renamed: true };
}

/**
 * Anyone may leave; the creator may remove anyone; others get 403. A creator
 * who leaves hands the group to the longest-standing member (`creator`), so
 * someone can still remove members.
 */
export function removeMember(db: RoomDb, actorId: string, targetId: string, now: number): { removed: MemberRow; creator: MemberRow | null } {
  const m = requireMeta(db);
  requireMember(db, actorId);
  requireGroup(m);
  refuseIfEncrypted(m, "members leave by an MLS commit");
  if (actorId !== targetId && actorId !== m.creatorId) throw new AppError("forbidden", "only the group's creator can remove others");
  const target = db.select().from(members).where(and(eq(members.userId, targetId), eq(members.active, true))).get();
  if (!target) throw new AppError("not_found", "not a member of this channel");
  db.update(members).set({ active: false }).where(eq(members.userId, targetId)).run();
  const creator = targetId === m.creatorId ? longestStanding(db, targetId) : null;
  if (creator) db.update(meta).set({ creatorId: creator.userId }).run();
  recordChange(db, { kind: "members" }, now);
  return { removed: target, creator };
}

/** The active member who joined first (then the earliest added), other than `exceptId`. */
function longestStanding(db: RoomDb, exceptId: string): MemberRow | null {
  return db.select().from(members).where(and(eq(members.active, true), ne(members.userId, exceptId))).orderBy(asc(members.joinedAt), sql`rowid`).limit(1).get() ?? null;
}

/** What a membership change needs of its room. */
export interface MembershipRoom {
  db: RoomDb;
  storage: Pick<DurableObjectStorage, "transactionSync">;
  budget: Budget;
  fanout: Pick<Fanout, "toAll" | "message">;
  /** Closes sockets after the frames already queued for them. */
  closeSockets(tag: string, code: number, reason: string): void;
  /** Tells every member's hub now. */
  drain(): Promise<void>;
  eventContext(actorId: string, now: number): SendContext;
}

/** What a membership change wrote: `changed` false means nothing, and nobody is told. */
export interface MembershipWrite<T> {
  value: T;
  changed: boolean;
  lines: (Message | null)[];
}

/**
 * The shape every membership change has (add, remove, rename): the actor
 * must be an active member and spends from their membership budget; the
 * change and its timeline lines are one transaction; if it changed anything,
 * `announce` tells the sockets, the lines follow as messages, and the members'
 * hubs are drained before the answer.
 */
export async function changeMembership<T>(
  room: MembershipRoom,
  actorId: string,
  write: (actor: MemberRow, ctx: SendContext) => MembershipWrite<T>,
  announce: (value: T) => void,
): Promise<T> {
  const actor = requireMember(room.db, actorId);
  room.budget.spend(actorId, "membership changes");
  const ctx = room.eventContext(actorId, Date.now());
  const { value, changed, lines } = room.storage.transactionSync(() => write(actor, ctx));
  if (!changed) return value;
  announce(value);
  // A timeline line reaches every open socket as a new message (the members' hubs hear of it by the drain).
  for (const line of lines) if (line) room.fanout.message(JSON.stringify(line), null);
  await room.drain();
  return value;
}

/** Any member adds someone: every socket hears who joined, then the line. */
export function addToGroup(room: MembershipRoom, actorId: string, user: User): Promise<null> {
  return changeMembership(
    room,
    actorId,
    (actor, ctx) => {
      const { added } = addMember(room.db, actorId, user, ctx.now);
      return { value: null, changed: added, lines: added ? [appendAdded(room.db, ctx, actor, user)] : [] };
    },
    () => room.fanout.toAll(JSON.stringify({ type: "member", event: "joined", user })),
  );
}

/** Any member renames a group: every socket gets the channel, then the line. */
export function renameGroup(room: MembershipRoom, actorId: string, title: string): Promise<null> {
  return changeMembership(
    room,
    actorId,
    (actor, ctx) => {
      const { renamed } = renameChannel(room.db, actorId, title, ctx.now);
      return { value: null, changed: renamed, lines: renamed ? [appendEvent(room.db, ctx, { type: "renamed", actor: userRef(actor), title })] : [] };
    },
    () => room.fanout.toAll(JSON.stringify({ type: "channel", channel: toChannel(room.db) })),
  );
}

/**
 * Leaving or removing: the member's sockets close (4403), every other socket
 * hears who left, then the line; a creator who left is followed by a
 * `creator` line and the channel with its new creator.
 */
export function removeFromGroup(room: MembershipRoom, actorId: string, targetId: string): Promise<{ removed: MemberRow; creator: MemberRow | null }> {
  return changeMembership(
    room,
    actorId,
    (actor, ctx) => {
      const { removed, creator } = removeMember(room.db, actorId, targetId, ctx.now);
      const event: TimelineEvent = actorId === targetId ? { type: "left", actor: userRef(actor) } : { type: "removed", actor: userRef(actor), user: userRef(removed) };
      const lines = [appendEvent(room.db, ctx, event)];
      if (creator) lines.push(appendEvent(room.db, ctx, { type: "creator", actor: userRef(actor), user: userRef(creator) }));
      return { value: { removed, creator }, changed: true, lines };
    },
    ({ removed, creator }) => {
      room.closeSockets(`u:${targetId}`, CLOSE_CODES.notAMember, "no longer a member");
      room.fanout.toAll(JSON.stringify({ type: "member", event: "left", user: memberToUser(removed) }));
      if (creator) room.fanout.toAll(JSON.stringify({ type: "channel", channel: toChannel(room.db) }));
    },
  );
}

import { and, asc, eq, sql } from "drizzle-orm";
import { AppError } from "../errors";
import { MAX_GROUP_MEMBERS, type Channel, type ChannelKind, type User } from "../protocol";
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

export interface CreateChannelInput {
  channelId: string;
  kind: ChannelKind;
  title: string;
  creatorId: string;
  members: User[];
  /** End-to-end encrypted: the creator's device is the MLS group's first leaf; a DM's other user joins by commit. */
  encrypted?: { device: string; peerId?: string };
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

/** Anyone may leave; the creator may remove anyone; others get 403. */
export function removeMember(db: RoomDb, actorId: string, targetId: string, now: number): MemberRow {
  const m = requireMeta(db);
  requireMember(db, actorId);
  requireGroup(m);
  refuseIfEncrypted(m, "members leave by an MLS commit");
  if (actorId !== targetId && actorId !== m.creatorId) throw new AppError("forbidden", "only the group's creator can remove others");
  const target = db.select().from(members).where(and(eq(members.userId, targetId), eq(members.active, true))).get();
  if (!target) throw new AppError("not_found", "not a member of this channel");
  db.update(members).set({ active: false }).where(eq(members.userId, targetId)).run();
  recordChange(db, { kind: "members" }, now);
  return target;
}

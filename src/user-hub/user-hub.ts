import { eq } from "drizzle-orm";
import { openSession } from "../accounts/db";
import type { Env } from "../env";
import { toResult, type Result } from "../errors";
import {
  CLOSE_CODES, InboxClientFrame, PONG_FRAME,
  type ChannelState, type ChannelUpdate, type ClaimedKeyPackage, type HubBudgetKind, type KeyPackageCount, type Missed, type MlsWelcome,
  type PushSubscriptionInput, type Presence, type Summary, type UpdateOutcome, type User,
} from "../protocol";
import { attachmentOf, forwardedBookmark, openDevices, trySend } from "../sockets/attachment";
import { decodeFrame } from "../sockets/decode-frame";
import { errorFrame } from "../sockets/error-frame";
import { SocketObject, type Identity } from "../sockets/socket-object";
import { getUserById } from "../accounts/users";
import { HubBudgets } from "./hub-budgets";
import { ensureState, readState } from "./hub-db";
import migrations from "./migrations/migrations.js";
import { decidePresence, toPresence } from "./presence";
import { queueChannelPushes, sendDuePushes } from "./push-sender";
import { clearPushQueue, nextPushAt, subscribe, unsubscribe } from "./push-queue";
import * as schema from "./schema";
import { channelRoom } from "../channel-room/stub";
import { userHub } from "./stub";
import { claimKeyPackages, dropKeyPackages, keyPackageCount, publishKeyPackages } from "./key-packages";
import { listWelcomes, storeWelcome } from "./welcomes";
import { applyChannelUpdate, channelIds, dmPartners, listSummaries, missedBy, recentChannelIds } from "./summaries";
import { LIVE_MEMBER_GAP_MS } from "../channel-room/drainer";
import { block, blockedIds, hasBlocked, unblock } from "./blocks";
import { closeDm, releaseReservation, reserveChannel } from "./channel-count";
import { releaseStorage, reserveStorage } from "./storage";

/**
 * One user: their channels' summaries, presence and push, and a copy of
 * the device cursors their rooms own. Rooms tell it what changed; its
 * inbox sockets hear about it.
 */
export class UserHub extends SocketObject<typeof schema> {
  private readonly budgets: HubBudgets;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, schema, migrations);
    this.budgets = new HubBudgets(this.config);
  }

  // ---- RPC from rooms, other hubs and the Worker ----

  async applyChannelUpdate(update: ChannelUpdate): Promise<UpdateOutcome> {
    const state = ensureState(this.db, update.userId);
    const applied = this.ctx.storage.transactionSync(() => applyChannelUpdate(this.db, update));
    const outcome: UpdateOutcome = { status: applied.needChannel ? "need-channel" : "applied", inboxDevices: [...openDevices(this.ctx.getWebSockets())] };
    if (applied.needChannel || applied.events.length === 0) return outcome;
    this.broadcast(applied.events.map((e) => JSON.stringify(e)));
    // Someone this user blocked is never pushed to them, in groups they still share too.
    // Checked only when a push is due: an online user's hub takes many updates a second.
    const pushable = state.online ? [] : applied.fresh.filter((m) => !hasBlocked(this.db, m.senderId));
    if (pushable.length > 0) {
      // Queued, not sent here: a slow push service never holds up the room's drain.
      const queued = await queueChannelPushes(this.db, this.env, update.channelId, update.userId, pushable, Date.now());
      if (queued) await this.checkPresence();
    }
    const added = applied.events.find((e) => e.type === "channel" && e.event === "added");
    if (added?.type === "channel" && added.channel.kind === "dm") {
      // A block made before this hub heard of the DM (the room was being created) reaches the room now.
      const partner = added.channel.members.find((m) => m.id !== update.userId);
      if (partner && hasBlocked(this.db, partner.id)) await channelRoom(this.env, update.channelId).setPeerBlock(update.userId, true);
      // A new DM partner learns our presence, and we theirs, at once.
      await this.publishPresence();
    }
    return outcome;
  }

  /** The Worker spends from this user's budget before an expensive or mutating request. */
  async spend(kind: HubBudgetKind): Promise<Result<null>> {
    return toResult(() => {
      this.budgets.spend(kind);
      return null;
    });
  }

  /** Before an upload's bytes go to R2: past the user's quota across all channels, 413 quota_exceeded. */
  async reserveStorage(userId: string, channelId: string, attachmentId: string, size: number): Promise<Result<null>> {
    ensureState(this.db, userId);
    return toResult(() => {
      this.ctx.storage.transactionSync(() => reserveStorage(this.db, channelId, attachmentId, size, this.config.userAttachmentQuotaBytes));
      return null;
    });
  }

  /** A room purged these files of this user (expired, failed, or their message deleted). */
  async releaseStorage(channelId: string, attachmentIds: string[]): Promise<void> {
    releaseStorage(this.db, channelId, attachmentIds);
  }

  async listChannels(userId: string): Promise<Summary[]> {
    ensureState(this.db, userId);
    return listSummaries(this.db);
  }

  /**
   * The user creates or opens `channelId`: it counts against `max`
   * (MAX_CHANNELS_PER_USER, the Worker's setting) from now on; channel_limit when they are at it.
   * A DM they had closed comes back to their inbox. True when the channel
   * did not count before: the Worker releases it if the creation then fails.
   */
  async reserveChannel(userId: string, channelId: string, max: number): Promise<Result<boolean>> {
    return toResult(() => {
      ensureState(this.db, userId);
      const { reopened, fresh } = this.ctx.storage.transactionSync(() => reserveChannel(this.db, channelId, max, Date.now()));
      if (reopened) this.announce(channelId, "added");
      return fresh;
    });
  }

  /** The creation reserved by `reserveChannel` failed: it no longer counts. */
  async releaseChannel(userId: string, channelId: string): Promise<void> {
    ensureState(this.db, userId);
    releaseReservation(this.db, channelId);
  }

  /** Whether the user is in `channelId` as far as the hub knows (closed DMs included). */
  async hasChannel(userId: string, channelId: string): Promise<boolean> {
    return (await this.channelState(userId, channelId)) !== "none";
  }

  async channelState(userId: string, channelId: string): Promise<ChannelState> {
    ensureState(this.db, userId);
    const row = this.db.select({ removed: schema.channels.removed, closed: schema.channels.closed }).from(schema.channels).where(eq(schema.channels.channelId, channelId)).get();
    return !row || row.removed ? "none" : row.closed ? "closed" : "open";
  }

  /** Closes a DM for this user: it leaves their inbox and channel count until a new message arrives. */
  async closeDm(userId: string, channelId: string): Promise<Result<null>> {
    return toResult(() => {
      ensureState(this.db, userId);
      closeDm(this.db, channelId);
      this.announce(channelId, "removed");
      return null;
    });
  }

  // ---- Blocks ----

  async block(userId: string, targetId: string): Promise<boolean> {
    ensureState(this.db, userId);
    return block(this.db, targetId, Date.now());
  }

  async unblock(userId: string, targetId: string): Promise<boolean> {
    ensureState(this.db, userId);
    return unblock(this.db, targetId);
  }

  async blockedIds(userId: string): Promise<string[]> {
    ensureState(this.db, userId);
    return blockedIds(this.db);
  }

  /** Whether this user blocked `targetId`; reads only, so asking about a user writes nothing. */
  async hasBlocked(targetId: string): Promise<boolean> {
    return readState(this.db) !== undefined && hasBlocked(this.db, targetId);
  }

  async presence(userId: string): Promise<Presence> {
    return toPresence(ensureState(this.db, userId), Date.now());
  }

  /** A DM partner went online or offline: tell this user's devices. */
  async partnerPresence(presence: Presence): Promise<void> {
    this.broadcast([JSON.stringify({ type: "presence", presence })]);
  }

  /** The user renamed themself: every channel they are in refreshes its copy of the profile. */
  async profileChanged(user: User): Promise<void> {
    ensureState(this.db, user.id);
    await Promise.allSettled(channelIds(this.db).map((id) => channelRoom(this.env, id).refreshProfile(user)));
  }

  async missed(userId: string, device: string): Promise<Missed> {
    ensureState(this.db, userId);
    return missedBy(this.db, device);
  }

  /** Logout: every socket of that session closes with 4401, in the inbox and in every channel. */
  async revokeSession(sessionId: string): Promise<void> {
    for (const ws of this.ctx.getWebSockets(`s:${sessionId}`)) ws.close(CLOSE_CODES.sessionRevoked, "session revoked");
    await Promise.allSettled(channelIds(this.db).map((id) => channelRoom(this.env, id).closeSession(sessionId)));
    await this.checkPresence();
  }

  /** Logout everywhere: every socket of the user closes with 4401, in the inbox and in every channel. */
  async revokeAllSessions(): Promise<void> {
    const state = readState(this.db);
    for (const ws of this.ctx.getWebSockets()) ws.close(CLOSE_CODES.sessionRevoked, "session revoked");
    if (!state) return;
    await Promise.allSettled(channelIds(this.db).map((id) => channelRoom(this.env, id).closeUserSessions(state.userId)));
    await this.checkPresence();
  }

  // ---- Inbox sockets ----

  protected override async admit(who: Identity, req: Request): Promise<string> {
    this.assertSocketRoom(this.ctx.getWebSockets().length, "this inbox");
    ensureState(this.db, who.userId);
    const user = await getUserById(openSession(this.env.DB, forwardedBookmark(req)).db, who.userId);
    return JSON.stringify({ type: "welcome", user, channels: listSummaries(this.db) });
  }

  protected override async onConnect(): Promise<void> {
    await this.checkPresence();
    // Rooms where this user reads live elsewhere update this hub only every
    // LIVE_MEMBER_GAP_MS; a new inbox device must not wait that long.
    const state = readState(this.db);
    if (state) await Promise.allSettled(recentChannelIds(this.db, Date.now() - 2 * LIVE_MEMBER_GAP_MS).map((id) => channelRoom(this.env, id).refreshMember(state.userId)));
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const decoded = decodeFrame(InboxClientFrame, data);
    if ("error" in decoded) return trySend(ws, errorFrame(decoded.error));
    // The only frame is a ping the auto-response did not catch (other bytes): answer it the same way.
    trySend(ws, PONG_FRAME);
  }

  protected override async onClose(ws: WebSocket): Promise<void> {
    await this.checkPresence(ws);
  }

  protected override async onAlarm(): Promise<void> {
    await sendDuePushes(this.db, this.env, Date.now());
    await this.checkPresence();
  }

  // ---- Push subscriptions ----

  async subscribePush(userId: string, device: string, sub: PushSubscriptionInput): Promise<Result<null>> {
    return toResult(() => {
      this.budgets.spend("pushSubscribe");
      ensureState(this.db, userId);
      subscribe(this.db, device, sub, Date.now());
      return null;
    });
  }

  async unsubscribePush(userId: string, device: string): Promise<boolean> {
    ensureState(this.db, userId);
    return unsubscribe(this.db, device);
  }

  // ---- End-to-end encryption: KeyPackages and Welcomes ----

  /** A device's first KeyPackages tell this user's devices online, which add it to their encrypted channels. */
  async publishKeyPackages(userId: string, device: string, batch: string[], lastResort?: string): Promise<number> {
    ensureState(this.db, userId);
    const { count, isNew } = this.ctx.storage.transactionSync(() => {
      const before = keyPackageCount(this.db, device);
      return { count: publishKeyPackages(this.db, device, batch, lastResort, Date.now()), isNew: before.count === 0 && !before.lastResort };
    });
    if (isNew && (batch.length > 0 || lastResort !== undefined)) this.broadcast([JSON.stringify({ type: "mls_device", device })]);
    return count;
  }

  async claimKeyPackages(userId: string, except: readonly string[] = []): Promise<ClaimedKeyPackage[]> {
    ensureState(this.db, userId);
    return this.ctx.storage.transactionSync(() => claimKeyPackages(this.db, except));
  }

  async keyPackageCount(userId: string, device: string): Promise<KeyPackageCount> {
    ensureState(this.db, userId);
    return keyPackageCount(this.db, device);
  }

  async dropKeyPackages(userId: string, device: string): Promise<KeyPackageCount> {
    ensureState(this.db, userId);
    dropKeyPackages(this.db, device);
    return keyPackageCount(this.db, device);
  }

  /** A room accepted a commit adding this user's devices: keep its Welcome, and tell the devices online. */
  async storeWelcome(userId: string, welcome: MlsWelcome): Promise<void> {
    ensureState(this.db, userId);
    if (storeWelcome(this.db, welcome)) this.broadcast([JSON.stringify({ type: "mls_welcome", welcome })]);
  }

  async welcomes(userId: string, channelId?: string): Promise<MlsWelcome[]> {
    ensureState(this.db, userId);
    return listWelcomes(this.db, channelId);
  }

  // ---- Presence ----

  /**
   * Recomputes presence from the sockets' last pings (hibernation
   * auto-response timestamps), closes silent sockets, publishes a change to
   * DM partners, and sets the alarm for the next moment anything can change.
   */
  private async checkPresence(closing?: WebSocket): Promise<void> {
    const state = readState(this.db);
    if (!state) return;
    const now = Date.now();
    // Sockets of expired sessions close first, so they do not count as online.
    const expiry = this.closeExpiredSockets(now);
    const sockets = this.ctx.getWebSockets().filter((ws) => ws !== closing && ws.readyState === WebSocket.OPEN);
    const liveness = sockets.map((ws) => ({
      lastPingAt: Math.max(attachmentOf(ws)?.connectedAt ?? 0, this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0),
    }));
    const decision = decidePresence(state, liveness, now, this.config);
    for (const i of decision.stale) sockets[i]!.close(CLOSE_CODES.heartbeatTimeout, "heartbeat timeout");
    const changed = decision.online !== state.online;
    if (changed && decision.online) clearPushQueue(this.db);
    this.db
      .update(schema.state)
      .set({ online: decision.online, lastSeenAt: decision.lastSeenAt, goneAt: decision.goneAt })
      .where(eq(schema.state.key, 1))
      .run();
    const next = Math.min(decision.nextCheckAt ?? Infinity, nextPushAt(this.db) ?? Infinity, expiry ?? Infinity);
    if (next !== Infinity) await this.ctx.storage.setAlarm(next);
    if (changed) await this.publishPresence();
  }

  /** Pub-sub per DM pair: each partner's hub forwards our presence to their devices. */
  private async publishPresence(): Promise<void> {
    const state = readState(this.db);
    if (!state) return;
    const presence = toPresence(state, Date.now());
    await Promise.allSettled(dmPartners(this.db).map((id) => userHub(this.env, id).partnerPresence(presence)));
  }

  /** Tells this user's devices a channel came into or left their inbox (its summary row holds the channel). */
  private announce(channelId: string, event: "added" | "removed"): void {
    const summary = this.summaryOf(channelId);
    if (!summary) return;
    const frames = [JSON.stringify({ type: "channel", event, channel: summary.channel })];
    if (event === "added") frames.push(JSON.stringify({ type: "summary", summary }));
    this.broadcast(frames);
  }

  private summaryOf(channelId: string): Summary | undefined {
    return this.db.select({ summary: schema.channels.summary }).from(schema.channels).where(eq(schema.channels.channelId, channelId)).get()?.summary as Summary | undefined;
  }

  private broadcast(frames: string[]): void {
    for (const ws of this.ctx.getWebSockets()) for (const f of frames) trySend(ws, f);
  }
}

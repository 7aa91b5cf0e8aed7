import { eq } from "drizzle-orm";
import type { Env } from "../env";
import { AppError, loggableError, toResult, type Result } from "../errors";
import { readInbound } from "../mls/inbound";
import type * as v from "valibot";
import {
  ChannelClientFrame,
  type ChangesPage,
  type ChangesQuery as ChangesQuerySchema,
  type HistoryQuery as HistoryQuerySchema,
  type SearchQuery as SearchQuerySchema,
  CLOSE_CODES,
  DEFAULT_PAGE,
  PONG_FRAME,
  UNSENT_ATTACHMENT_TTL_MS,
  type UploadedAttachment,
  type MlsGroupResponse,
  type MlsSendInput,
  type Channel, type CreateChannelInput, type CreatedChannel, type Message, type NewUpload, type Presence, type SentMessage, type UnsentCheck, type StoredInfo, type Summary, type User } from "../protocol";
import { attachmentOf, openDevices } from "../sockets/attachment";
import { decodeFrame } from "../sockets/decode-frame";
import { errorFrame } from "../sockets/error-frame";
import { SocketObject, type Identity } from "../sockets/socket-object";
import { userHub } from "../user-hub/stub";
import { openDb } from "../accounts/db";
import { getUserById } from "../accounts/users";
import { Drainer } from "./drainer";
import { Fanout } from "./fanout";
import { urlSigner } from "../attachments/signed-url";
import { purgeExpiredAttachments } from "./attachment-purge";
import { abandonUpload, completeUpload, ownUnsent, reserveUpload, setThumbnail, useUrlSigner } from "./attachments";
import { changesSince, deleteMessage, editMessage, react, type Change } from "./edits";
import { addToGroup, createChannel, refreshProfile, removeFromGroup, renameGroup, toChannel, type MembershipRoom } from "./membership";
import { listLeaves } from "./mls-leaves";
import { refuseIfBlocked, setPeerBlock } from "./dm-blocks";
import { acceptMls, refuseIfEncrypted, type MlsAccepted } from "./mls-messages";
import { WelcomeSender } from "./welcome-sender";
import { historyAfter, historyBefore, sendMessage, type Page, type SendContext, type SendInput } from "./messages";
import migrations from "./migrations/migrations.js";
import { PresenceCache } from "./presence-cache";
import { RoomBudgets } from "./room-budgets";
import { markHeld, markRead, summaryFor } from "./reads";
import { lastMessage, readMeta, requireMember, requireMeta } from "./room-db";
import { searchMessages } from "./search";
import * as schema from "./schema";
import { originFromObjectId, parseSnowflake, Snowflake } from "./snowflake";

/** RPC arguments from the Worker: the validated queries of the HTTP routes. */
type HistoryQuery = v.InferOutput<typeof HistoryQuerySchema>;
type ChangesQuery = v.InferOutput<typeof ChangesQuerySchema>;
type SearchQuery = v.InferOutput<typeof SearchQuerySchema>;
/** An edit, delete or reaction, as socket frames name it (HTTP routes build the same). */
export type ChangeRequest = Extract<ChannelClientFrame, { type: "edit" | "delete" | "react" }>;

/**
 * One channel: its members, its ordered and stored messages, and the
 * hibernatable sockets of everyone who has it open. The logic lives in plain
 * functions over the room's SQLite; this class decodes, calls them, and sends.
 */
export class ChannelRoom extends SocketObject<typeof schema> {
  private ids!: Snowflake;
  private readonly presence: PresenceCache;
  private readonly drainer: Drainer;
  private readonly budgets: RoomBudgets;
  private readonly welcomes: WelcomeSender;
  private readonly fanout: Fanout;
  private readonly membership: MembershipRoom;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, schema, migrations);
    this.fanout = new Fanout(ctx);
    this.drainer = new Drainer(this.db, ctx.storage, env, (userId) => openDevices(ctx.getWebSockets(`u:${userId}`)));
    this.welcomes = new WelcomeSender(this.db, env, (at) => this.drainer.schedule(at));
    useUrlSigner(this.db, urlSigner(env.ATTACHMENT_URL_KEY, this.config.attachmentUrlTtlMs));
    this.budgets = new RoomBudgets(this.config);
    this.presence = new PresenceCache((id) => userHub(env, id).presence(id));
    this.membership = {
      db: this.db,
      storage: ctx.storage,
      budget: this.budgets.membership,
      fanout: this.fanout,
      closeSockets: (tag, code, reason) => this.closeSockets(tag, code, reason),
      drain: () => this.drainer.drain(),
      eventContext: (actorId, now) => this.eventContext(actorId, now),
    };
  }

  protected override async onStart(): Promise<void> {
    const last = lastMessage(this.db);
    const resume = last ? parseSnowflake(last.id) : undefined;
    this.ids = new Snowflake(originFromObjectId(this.ctx.id.toString()), resume && { lastMs: resume.ms, seq: resume.seq });
    await this.drainer.resume();
  }

  // ---- RPC from the Worker ----

  async create(input: CreateChannelInput): Promise<Result<CreatedChannel>> {
    const result = await toResult(() => this.ctx.storage.transactionSync(() => createChannel(this.db, input, Date.now())));
    if (!result.ok) return result;
    if (result.value.created) await this.drainer.drain();
    return { ok: true, value: { channel: toChannel(this.db), created: result.value.created } };
  }

  async getChannel(userId: string): Promise<Result<Channel>> {
    return toResult(() => {
      requireMember(this.db, userId);
      return toChannel(this.db);
    });
  }

  async addMember(actorId: string, user: User): Promise<Result<Channel>> {
    return toResult(async () => {
      await addToGroup(this.membership, actorId, user);
      return toChannel(this.db);
    });
  }

  /** Any member renames a group: every socket gets the channel and the timeline line, every member's hub the new title. */
  async rename(actorId: string, title: string): Promise<Result<Channel>> {
    return toResult(async () => {
      await renameGroup(this.membership, actorId, title);
      return toChannel(this.db);
    });
  }

  /** The member's profile cache is refreshed; every member's summary shows the new name. */
  async refreshProfile(user: User): Promise<void> {
    if (this.ctx.storage.transactionSync(() => refreshProfile(this.db, user, Date.now()))) this.drainer.schedule();
  }

  /** Leaving or removing; a creator who leaves hands the group to the longest-standing member. */
  async removeMember(actorId: string, targetId: string): Promise<Result<null>> {
    return toResult(async () => {
      await removeFromGroup(this.membership, actorId, targetId);
      return null;
    });
  }

  async history(userId: string, q: HistoryQuery): Promise<Result<Page>> {
    return toResult(() => {
      const meta = requireMeta(this.db);
      requireMember(this.db, userId);
      this.budgets.sync.spend(userId, "history pages");
      const limit = q.limit ?? DEFAULT_PAGE;
      return q.before !== undefined ? historyBefore(this.db, meta.channelId, q.before, limit) : historyAfter(this.db, meta.channelId, q.after ?? 0, limit);
    });
  }

  async send(userId: string, input: SendInput): Promise<Result<SentMessage>> {
    return toResult(() => this.store(userId, undefined, input, null));
  }

  async change(userId: string, request: ChangeRequest): Promise<Result<Message>> {
    return toResult(() => {
      requireMember(this.db, userId);
      this.budgets.change.spend(userId, "edits, deletes and reactions");
      return this.applyChange(userId, request, null).message;
    });
  }

  /** An MLS message for an encrypted channel, from a device of `userId` (HTTP; sockets take the same path). */
  async sendMls(userId: string, device: string, input: MlsSendInput): Promise<Result<SentMessage>> {
    return toResult(async () => {
      const { message, created } = await this.storeMls(userId, device, input, null);
      return { message, created };
    });
  }

  /** The room's view of the MLS group: its epoch and which leaf is which member's device. */
  async mlsGroup(userId: string): Promise<Result<v.InferOutput<typeof MlsGroupResponse>>> {
    return toResult(() => {
      const meta = requireMeta(this.db);
      requireMember(this.db, userId);
      if (!meta.encrypted) throw new AppError("bad_request", "this channel is not end-to-end encrypted");
      return { epoch: meta.epoch, leaves: listLeaves(this.db) };
    });
  }

  async changes(userId: string, q: ChangesQuery): Promise<Result<ChangesPage>> {
    return toResult(() => {
      requireMember(this.db, userId);
      this.budgets.sync.spend(userId, "change pages");
      return changesSince(this.db, userId, q.after, q.through, q.limit ?? DEFAULT_PAGE);
    });
  }

  async search(userId: string, q: SearchQuery): Promise<Result<Page>> {
    return toResult(() => {
      requireMember(this.db, userId);
      this.budgets.search.spend(userId, "searches");
      return searchMessages(this.db, userId, q.q, q.limit ?? DEFAULT_PAGE, q.offset ?? 0);
    });
  }

  async markRead(userId: string, seq: number): Promise<Result<Summary>> {
    return toResult(async () => {
      requireMember(this.db, userId);
      this.budgets.read.spend(userId, "read receipts");
      this.read(userId, undefined, seq, null);
      await this.drainer.drain([userId]);
      return summaryFor(this.db, requireMember(this.db, userId));
    });
  }

  // ---- Attachments (the Worker streams the bytes to R2; the room keeps the rows) ----

  async reserveUpload(userId: string, upload: NewUpload): Promise<Result<null>> {
    return toResult(() => {
      const now = Date.now();
      this.ctx.storage.transactionSync(() => reserveUpload(this.db, userId, upload, this.config.attachmentQuotaBytes, now));
      this.drainer.schedule(now + UNSENT_ATTACHMENT_TTL_MS);
      return null;
    });
  }

  async completeUpload(userId: string, id: string, info: StoredInfo): Promise<Result<UploadedAttachment>> {
    return toResult(() => this.ctx.storage.transactionSync(() => completeUpload(this.db, userId, id, info, Date.now())));
  }

  /** Whether `id` is the caller's finished, unsent upload (before a thumbnail goes to R2 for it), and whether the channel is encrypted. */
  async checkUnsent(userId: string, id: string): Promise<Result<UnsentCheck>> {
    return toResult(() => {
      if (!ownUnsent(this.db, userId, id, Date.now()).stored) throw new AppError("not_found", "no such attachment");
      return { encrypted: requireMeta(this.db).encrypted };
    });
  }

  async setThumbnail(userId: string, id: string, thumbType: string, placeholder: string | null): Promise<Result<null>> {
    return toResult(() => {
      this.ctx.storage.transactionSync(() => setThumbnail(this.db, userId, id, thumbType, placeholder, Date.now()));
      return null;
    });
  }

  async abandonUpload(userId: string, id: string): Promise<void> {
    abandonUpload(this.db, userId, id, Date.now());
    this.drainer.schedule();
  }

  /** A DM member blocked or unblocked the other (docs/protocol.md "Blocks"). */
  async setPeerBlock(blockerId: string, on: boolean): Promise<void> {
    setPeerBlock(this.db, readMeta(this.db), blockerId, on);
  }

  /** A device of this member opened their inbox: their hub must hear of everything at the next drain, even what they read live elsewhere. */
  async refreshMember(userId: string): Promise<void> {
    this.drainer.refresh(userId);
  }

  /** Logout everywhere: every socket of this user closes with 4401. */
  async closeUserSessions(userId: string): Promise<void> {
    this.closeSockets(`u:${userId}`, CLOSE_CODES.sessionRevoked, "session revoked");
  }

  /** Logout: this session's sockets close with 4401. */
  async closeSession(sessionId: string): Promise<void> {
    this.closeSockets(`s:${sessionId}`, CLOSE_CODES.sessionRevoked, "session revoked");
  }

  // ---- Sockets ----

  protected override async admit(who: Identity): Promise<string> {
    const meta = readMeta(this.db);
    const member = this.db.select().from(schema.members).where(eq(schema.members.userId, who.userId)).get();
    if (!meta || !member?.active) throw new AppError("not_found", "no such channel");
    this.assertSocketRoom(this.ctx.getWebSockets(`u:${who.userId}`).length, "this channel");
    const channel = toChannel(this.db, meta);
    const presence: Presence[] = await this.presence.get(channel.members.map((m) => m.id));
    const welcome = JSON.stringify({ type: "welcome", channel: toChannel(this.db, meta), lastSeq: lastMessage(this.db)?.seq ?? 0, presence, reads: this.reads() });
    // What is queued was stored before this welcome's lastSeq: the new socket does not get it twice.
    this.fanout.flush();
    return welcome;
  }

  override async webSocketMessage(ws: WebSocket, data: string | ArrayBuffer): Promise<void> {
    const who = attachmentOf(ws);
    if (!who) return this.closeSocket(ws, CLOSE_CODES.lostState, "lost socket state");
    const decoded = decodeFrame(ChannelClientFrame, data);
    if ("error" in decoded) return this.sendError(ws, decoded.error, decoded.clientMsgId);
    const frame = decoded.frame;
    // Budgets before membership: a refused frame (most of a flood) costs no SQL.
    try {
      switch (frame.type) {
        case "send":
          this.store(who.userId, who.device, frame, ws);
          return;
        case "sync": {
          this.budgets.sync.spend(who.userId, "sync pages");
          requireMember(this.db, who.userId);
          const limit = frame.limit ?? DEFAULT_PAGE;
          const page = historyAfter(this.db, requireMeta(this.db).channelId, frame.after, limit);
          const held = page.messages.at(-1)?.seq;
          if (held !== undefined) this.ctx.storage.transactionSync(() => markHeld(this.db, who.userId, who.device, held, Date.now()));
          this.fanout.toOne(ws, JSON.stringify({ type: "history", ...page }));
          if (frame.changesAfter !== undefined) {
            this.fanout.toOne(ws, JSON.stringify({ type: "changes", ...changesSince(this.db, who.userId, frame.changesAfter, frame.after, limit) }));
          }
          if (held !== undefined) this.drainer.schedule();
          return;
        }
        case "edit":
        case "delete":
        case "react":
          this.budgets.change.spend(who.userId, "edits, deletes and reactions");
          requireMember(this.db, who.userId);
          this.applyChange(who.userId, frame, ws);
          return;
        case "mls":
          await this.storeMls(who.userId, who.device, frame, ws);
          return;
        case "typing":
          // Over its budget, typing is dropped: it is a hint, and an error would cost as much as the broadcast.
          if (this.budgets.typing.take(who.userId) !== null) return;
          requireMember(this.db, who.userId);
          this.fanout.toAll(JSON.stringify({ type: "typing", userId: who.userId }), { exceptUser: who.userId });
          return;
        case "read":
          this.budgets.read.spend(who.userId, "read receipts");
          requireMember(this.db, who.userId);
          this.read(who.userId, who.device, frame.seq, ws);
          return;
        case "ping":
          this.fanout.toOne(ws, PONG_FRAME);
          return;
      }
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // A missing message is an error frame; a missing membership ends the socket.
      if (err.code === "not_found" && !this.isMember(who.userId)) return this.closeSocket(ws, CLOSE_CODES.notAMember, "no longer a member");
      const seq = frame.type === "edit" || frame.type === "delete" || frame.type === "react" ? frame.seq : undefined;
      this.sendError(ws, err, frame.type === "send" || frame.type === "mls" ? frame.clientMsgId : undefined, seq);
    }
  }

  protected override async onClose(): Promise<void> {
    // A member who leaves the channel no longer reads it live: their hub catches up now.
    this.drainer.schedule();
  }

  protected override async onConnect(): Promise<void> {
    this.scheduleExpiry();
  }

  /** Sockets whose session expired close with 4401; the alarm comes back for the next one. */
  private scheduleExpiry(): void {
    const next = this.closeExpiredSockets();
    if (next !== null) this.drainer.schedule(next);
  }

  protected override async onAlarm(): Promise<void> {
    this.drainer.alarmFired();
    const expiry = this.closeExpiredSockets();
    await this.welcomes.deliver();
    await this.drainer.drain();
    // After the drain, which usually sets an earlier alarm: one alarm write per wake, not two.
    if (expiry !== null) this.drainer.schedule(expiry);
    let next: number | null;
    try {
      next = await purgeExpiredAttachments(this.db, this.env.ATTACHMENTS, (uploaderId, channelId, ids) => userHub(this.env, uploaderId).releaseStorage(channelId, ids), Date.now());
    } catch (err) {
      console.warn("attachment purge failed; will retry", loggableError(err));
      next = Date.now() + 60_000;
    }
    if (next !== null) this.drainer.schedule(next);
  }

  // ---- Shared paths of socket and HTTP ----

  /** Stores a message (or finds its first copy), then acks the sender and broadcasts to everyone else. */
  private store(userId: string, device: string | undefined, input: SendInput, from: WebSocket | null) {
    const now = Date.now();
    const meta = requireMeta(this.db);
    refuseIfEncrypted(meta, "send MLS messages (type \"mls\")");
    refuseIfBlocked(this.db, meta, userId);
    const result = this.ctx.storage.transactionSync(() =>
      sendMessage(this.db, { channelId: meta.channelId, userId, device, ids: this.ids, rateLimit: this.config.sendRateLimit, rateWindowMs: this.config.sendRateWindowMs, now }, input),
    );
    // The output gate holds these frames until the write above is durable.
    const message = JSON.stringify(result.message);
    if (from) this.fanout.ack(from, input.clientMsgId, message);
    if (result.created) {
      this.fanout.message(message, from);
      this.drainer.seenLive(result.message.mentions !== undefined);
    }
    return result;
  }

  /**
   * Stores an MLS message (see acceptMls), then acks, broadcasts, tells
   * members who joined or left, and hands each added user's Welcome to their
   * UserHub. Profiles of added users come from D1 before the write; the write
   * itself checks the epoch, so concurrent commits still meet one at a time.
   */
  private async storeMls(userId: string, device: string, input: MlsSendInput, from: WebSocket | null): Promise<MlsAccepted> {
    const meta = requireMeta(this.db);
    refuseIfBlocked(this.db, meta, userId);
    const inbound = readInbound(input.data, meta.channelId);
    const profiles = new Map<string, User>();
    if (inbound.kind === "commit") {
      const ids = [...new Set(inbound.adds.map((a) => a.userId))];
      for (const u of await Promise.all(ids.map((id) => getUserById(openDb(this.env.DB), id).catch(() => undefined)))) if (u) profiles.set(u.id, u);
    }
    const now = Date.now();
    const result = this.ctx.storage.transactionSync(() =>
      acceptMls(this.db, { channelId: meta.channelId, userId, device, ids: this.ids, rateLimit: this.config.sendRateLimit, rateWindowMs: this.config.sendRateWindowMs, now }, input, inbound, profiles),
    );
    const message = JSON.stringify(result.message);
    if (from) this.fanout.ack(from, input.clientMsgId, message);
    if (!result.created) return result;
    this.fanout.message(message, from);
    for (const user of result.joined) this.fanout.toAll(JSON.stringify({ type: "member", event: "joined", user }));
    for (const user of result.left) {
      this.closeSockets(`u:${user.id}`, CLOSE_CODES.notAMember, "no longer a member");
      this.fanout.toAll(JSON.stringify({ type: "member", event: "left", user }));
    }
    if (result.welcomed.length > 0) {
      this.welcomes.noteStored();
      await this.welcomes.deliver();
    }
    if (result.joined.length > 0 || result.left.length > 0) await this.drainer.drain();
    else this.drainer.seenLive();
    return result;
  }

  /**
   * Edits, deletes or reacts, then tells every socket (the actor's too: that
   * is its answer) and the drain. A no-op answers only the actor's socket.
   */
  private applyChange(userId: string, request: ChangeRequest, from: WebSocket | null): Change {
    const now = Date.now();
    refuseIfEncrypted(requireMeta(this.db), "edits, deletes and reactions travel inside MLS messages (changeOf)");
    const result = this.ctx.storage.transactionSync(() => {
      switch (request.type) {
        case "edit":
          return editMessage(this.db, userId, request.seq, request.body, now);
        case "delete":
          return deleteMessage(this.db, userId, request.seq, now);
        case "react":
          return react(this.db, userId, request.seq, request.emoji, request.on, now);
      }
    });
    const frame = JSON.stringify({ type: "changed", change: result.change, message: result.message });
    if (result.changed) {
      this.fanout.toAll(frame);
      this.drainer.seenLive(request.type === "edit" && result.message.mentions !== undefined);
    } else if (from) this.fanout.toOne(from, frame);
    return result;
  }

  /** What storeRow needs to append a timeline line for `actorId` (no rate limit: membership has its own budget). */
  private eventContext(actorId: string, now: number): SendContext {
    return { channelId: requireMeta(this.db).channelId, userId: actorId, ids: this.ids, rateLimit: this.config.sendRateLimit, rateWindowMs: this.config.sendRateWindowMs, now };
  }

  private isMember(userId: string): boolean {
    const m = this.db.select({ active: schema.members.active }).from(schema.members).where(eq(schema.members.userId, userId)).get();
    return m?.active === true;
  }

  private read(userId: string, device: string | undefined, seq: number, from: WebSocket | null): void {
    const { readSeq, moved } = this.ctx.storage.transactionSync(() => markRead(this.db, userId, seq, device, Date.now()));
    if (moved) this.fanout.toAll(JSON.stringify({ type: "receipt", userId, seq: readSeq }), { exceptUser: userId, skip: from });
    this.drainer.schedule();
  }

  private reads(): { userId: string; seq: number }[] {
    return this.db
      .select({ userId: schema.members.userId, seq: schema.members.readSeq, active: schema.members.active })
      .from(schema.members)
      .all()
      .filter((m) => m.active)
      .map(({ userId, seq }) => ({ userId, seq }));
  }

  /** Closes sockets after the frames already queued for them (they still get those first). */
  private closeSockets(tag: string, code: number, reason: string): void {
    const sockets = this.ctx.getWebSockets(tag);
    if (sockets.length === 0) return;
    this.fanout.flush();
    for (const ws of sockets) ws.close(code, reason);
    // Who reads live changed, whether or not the runtime tells webSocketClose.
    this.drainer.schedule();
  }

  private closeSocket(ws: WebSocket, code: number, reason: string): void {
    this.fanout.flush();
    ws.close(code, reason);
  }

  private sendError(ws: WebSocket, err: AppError, clientMsgId?: string, seq?: number): void {
    this.fanout.toOne(ws, errorFrame(err, { clientMsgId, seq }));
  }
}

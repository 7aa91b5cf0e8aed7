import { DurableObject } from "cloudflare:workers";
import { drizzle, type DrizzleSqliteDODatabase } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { readConfig, type Config } from "../config";
import type { Env } from "../env";
import { Budget } from "../budgets/budget";
import { FloodBench } from "../budgets/flood-bench";
import { AppError } from "../errors";
import { CLOSE_CODES, PING_FRAME, PONG_FRAME } from "../protocol";
import { BillingMeter, meteredStorage } from "./billing-meter";
import { attach, attachmentOf, forwardedIdentity, socketTags, trySend, upgradeResponse, type SocketAttachment } from "./attachment";

type Migrations = Parameters<typeof migrate>[1];
export type Identity = Omit<SocketAttachment, "connectedAt">;

/**
 * The plumbing both objects share, written once: their SQLite through drizzle
 * with migrations before anything else runs, the runtime's ping
 * auto-response, the upgrade preamble (identity from the Worker, refusals as
 * HTTP answers, a hibernatable socket with its attachment and first frame),
 * and close handling. Subclasses say what is theirs: `onStart`, `admit`,
 * `onConnect`, `onClose`, `onAlarm`.
 */
export abstract class SocketObject<S extends Record<string, unknown>> extends DurableObject<Env> {
  protected readonly db: DrizzleSqliteDODatabase<S>;
  protected readonly config: Config;
  /** Rows read and written, alarms: for the measured bill (bench/cost.mjs), read by tests only. */
  readonly meter = new BillingMeter();
  /** The earliest session expiry among the open sockets; undefined until looked at (after a wake or a new socket). */
  private nextExpiry: number | null | undefined;
  /** New sockets per user: each welcome costs the object work, so a reconnect loop has a budget too. */
  private readonly connects: Budget;
  private readonly benched: FloodBench;

  constructor(ctx: DurableObjectState, env: Env, schema: S, migrations: Migrations) {
    super(ctx, env);
    this.db = drizzle(meteredStorage(ctx.storage, this.meter), { schema });
    this.config = readConfig(env);
    this.connects = new Budget(this.config.socketConnectBudget);
    this.benched = new FloodBench(this.config.floodBenchMs);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME));
    ctx.blockConcurrencyWhile(async () => {
      await migrate(this.db, migrations);
      // Past the await the subclass's constructor has run: its fields are set.
      await this.onStart();
    });
  }

  /** Runs on every wake-up, after the migrations, before any request. */
  protected async onStart(): Promise<void> {}
  /** Refuses an upgrade (throws AppError) or returns the socket's first frame, built before the socket exists. */
  protected abstract admit(who: Identity, req: Request): Promise<string>;
  /** After a socket is accepted and sent its first frame. */
  protected async onConnect(): Promise<void> {}
  /** After a socket closed or failed. */
  protected async onClose(_ws: WebSocket): Promise<void> {}
  /** The object's alarm fired. */
  protected async onAlarm(): Promise<void> {}

  /** Refuses with 429 when `open` sockets already reach the per-user limit. */
  protected assertSocketRoom(open: number, what: string): void {
    if (open >= this.config.maxSocketsPerUser) throw new AppError("rate_limited", `too many open sockets for ${what}`, 10_000);
  }

  override async fetch(req: Request): Promise<Response> {
    const who = forwardedIdentity(req);
    if (!who || req.headers.get("Upgrade")?.toLowerCase() !== "websocket") return new AppError("bad_request", "expected a WebSocket upgrade").toResponse();
    let welcome: string;
    try {
      this.benched.assertFree(who.userId);
      this.connects.spend(who.userId, "new sockets");
      // Before accepting, so nothing can be broadcast to the socket ahead of its first frame.
      welcome = await this.admit(who, req);
    } catch (err) {
      if (err instanceof AppError) return err.toResponse();
      throw err;
    }
    const pair = new WebSocketPair();
    // The session's expiry comes from the Worker, which read it with the session itself (no D1 read here).
    const attachment: SocketAttachment = { ...who, connectedAt: Date.now() };
    this.ctx.acceptWebSocket(pair[1], socketTags(attachment));
    attach(pair[1], attachment);
    this.nextExpiry = undefined;
    trySend(pair[1], welcome);
    await this.onConnect();
    return upgradeResponse(req, pair[0]);
  }

  /**
   * Closes, with 4401, every socket whose session has expired, and returns
   * when the next one expires (null if none will): the subclass sets its
   * alarm for then, beside its own.
   */
  protected closeExpiredSockets(now = Date.now()): number | null {
    // Known and not yet due: no need to look at every socket (this runs on every alarm of a busy room).
    if (this.nextExpiry !== undefined && (this.nextExpiry === null || now < this.nextExpiry)) return this.nextExpiry;
    let next: number | null = null;
    for (const ws of this.ctx.getWebSockets()) {
      const at = attachmentOf(ws)?.expiresAt;
      if (at === undefined || ws.readyState !== WebSocket.OPEN) continue;
      if (at <= now) ws.close(CLOSE_CODES.sessionRevoked, "session expired");
      else next = next === null ? at : Math.min(next, at);
    }
    this.nextExpiry = next;
    return next;
  }

  override async alarm(): Promise<void> {
    const started = Date.now();
    try {
      await this.onAlarm();
    } finally {
      this.meter.alarm(Date.now() - started);
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // The Worker closed this socket for a flood: the user's next sockets wait.
    if (code === CLOSE_CODES.tooManyFrames) {
      const who = attachmentOf(ws);
      if (who) this.benched.bench(who.userId);
    }
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
    await this.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    try {
      ws.close(CLOSE_CODES.lostState, "socket error");
    } catch {
      // already closed
    }
    await this.onClose(ws);
  }
}

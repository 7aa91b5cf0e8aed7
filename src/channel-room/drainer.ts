import type { Env } from "../env";
import { loggableError } from "../errors";
import { userHub } from "../user-hub/stub";
import { collectOutbox, completeDeliveries, failDelivery, nextDrainAt, planDrain } from "./drain";
import { activeMembers } from "./membership";
import type { RoomDb } from "./room-db";

const HUB_TIMEOUT_MS = 10_000;
/** A drain costs about as much for one change as for many (an RPC per member): under load, let changes gather this long. */
const DRAIN_GAP_MS = 100;
/**
 * After a drain that reached more than BUSY_DRAIN_HUBS hubs, the next waits
 * this long: a busy big channel updates each badge about 7 times a second
 * instead of 10 (a third fewer hub requests, each billed on the platform)
 * while a badge still follows within the inbox's 250 ms. Small channels keep
 * the short gap.
 */
const BUSY_DRAIN_GAP_MS = 150;
const BUSY_DRAIN_HUBS = 20;
const FIRST_CONTACTS_PER_DRAIN = 20;
/**
 * A member with the channel open on every device that shows their inbox sees
 * new messages live, so their hub (badge, preview, push) needs them only when
 * they leave the channel (onClose drains at once) — or this often, each
 * member at one of LIVE_SLOTS moments of the period (never sooner than
 * LIVE_MEMBER_MIN_GAP_MS after the last). At 2 s a busy 100-member channel
 * still cost 50 hub RPCs a second; at 30 s, 3. A member whose inbox is open
 * on a device without the channel (the phone beside the laptop) is updated
 * at every drain.
 */
export const LIVE_MEMBER_GAP_MS = 30_000;
const LIVE_MEMBER_MIN_GAP_MS = 2_000;
/**
 * A member who is away (no inbox open anywhere, the channel open nowhere)
 * sees no badge: their hub needs messages for push and for when they come
 * back (opening an inbox catches them up at once: refresh()). So in a busy
 * channel they are updated at most this often, not at every drain (7 to 10
 * a second, each a billed hub request); a message that mentions them, or
 * anything but content, still goes at the next drain, and so does the first
 * message after a quiet spell.
 */
const AWAY_MEMBER_GAP_MS = 2_000;
/**
 * Thirty moments, 1 s apart: a drain's cost is mostly fixed (the alarm, its
 * first statement, the plan), so a 100-member channel drains 30 times a
 * period for 3 or 4 hubs each rather than 100 times for one (the profile had
 * the drain at 13 % of a busy group's thread with a moment per member); more
 * hubs per drain would hold the room longer at once locally, where each
 * hub's update runs on the room's thread (10 moments: stalls of 30-50 ms).
 */
const LIVE_SLOTS = 30;

/**
 * Runs a room's outbox drain: when (the object's alarm, at most every
 * DRAIN_GAP_MS) and how (one RPC per member, in parallel, with a timeout;
 * failures back off in storage). What to send is planned in drain.ts.
 */
export class Drainer {
  private drainAt: number | null = null;
  private lastDrainAt = 0;
  private gapMs = DRAIN_GAP_MS;
  /** When each member's hub was last updated (in memory: after a restart everyone is due). */
  private readonly deliveredAt = new Map<string, number>();
  /** The devices each member's hub last said hold an inbox socket. */
  private readonly inboxDevices = new Map<string, string[]>();
  /** Live members this drain reaches for the first time since a restart (see mayWait). */
  private readonly firstContacts = new Set<string>();
  /**
   * Until when every active member waits (reads live on every inbox device,
   * slot not come): a message, edit or reaction before then needs no drain of
   * its own, only the one already due then. Null: someone may be due.
   */
  private quietUntil: number | null = null;

  constructor(
    private readonly db: RoomDb,
    private readonly storage: DurableObjectStorage,
    private readonly env: Env,
    /** The member's devices with a socket open on the channel (they read it live). */
    private readonly liveDevices: (userId: string) => Set<string> = () => new Set(),
  ) {}

  /**
   * A member live on every inbox device waits until their slot of the period
   * comes round again; one who is away, until AWAY_MEMBER_GAP_MS after their
   * last delivery. One the room has not delivered to since it started
   * (so it knows neither their slot nor their inbox devices) is due, but a
   * drain takes at most FIRST_CONTACTS_PER_DRAIN such live members: the first
   * message after 100 members open the channel would otherwise call 99 hubs
   * at once, which locally holds the room's thread for 100 ms or more.
   */
  private mayWait(userId: string, now: number): boolean {
    if (!this.deliveredAt.has(userId) && this.liveDevices(userId).size > 0) {
      if (this.firstContacts.has(userId)) return false;
      if (this.firstContacts.size >= FIRST_CONTACTS_PER_DRAIN) return true;
      this.firstContacts.add(userId);
      return false;
    }
    const until = this.waitsUntil(userId);
    return until !== null && now < until;
  }

  /** When a member live on every inbox device, or away, is due again (null: due now — an inbox without the channel somewhere, or never delivered since a restart). */
  private waitsUntil(userId: string): number | null {
    const last = this.deliveredAt.get(userId);
    if (last === undefined) return null;
    const live = this.liveDevices(userId);
    const inbox = this.inboxDevices.get(userId);
    if (live.size === 0 && inbox?.length === 0) return last + AWAY_MEMBER_GAP_MS;
    if (live.size === 0 || !(inbox ?? []).every((d) => live.has(d))) return null;
    // Their next slot at least LIVE_MEMBER_MIN_GAP_MS on: a member first met just before their slot would otherwise be due again at once.
    const offset = slotOffset(userId);
    return Math.ceil((last + LIVE_MEMBER_MIN_GAP_MS + offset) / LIVE_MEMBER_GAP_MS) * LIVE_MEMBER_GAP_MS - offset;
  }

  /** When the first active member is due again, if every one of them waits (null: someone is due now). */
  private everyoneWaitsUntil(): number | null {
    let until = Infinity;
    for (const { userId } of activeMembers(this.db)) {
      const at = this.waitsUntil(userId);
      if (at === null) return null;
      until = Math.min(until, at);
    }
    return Number.isFinite(until) ? until : null;
  }

  /** The member's inbox devices may have changed: deliver to them at the next drain and learn the devices anew. */
  refresh(userId: string): void {
    this.deliveredAt.delete(userId);
    this.schedule();
  }

  /** After a restart: the alarm already set, if any. */
  async resume(): Promise<void> {
    this.drainAt = await this.storage.getAlarm();
  }

  /** The alarm fired: it is no longer set. */
  alarmFired(): void {
    this.drainAt = null;
  }

  /**
   * A message, edit or reaction was stored: members with the channel open see
   * it on their sockets. One that mentions anyone never waits (planDrain
   * makes the mentioned due), so it needs the next drain, not the quiet one.
   */
  seenLive(mentions = false): void {
    if (!mentions && this.quietUntil !== null && Date.now() < this.quietUntil) this.schedule(this.quietUntil);
    else this.schedule();
  }

  /** A drain at `at`; without it, at the next gap, for a change that may make anyone due (a read, members, a socket gone). */
  schedule(at?: number): void {
    if (at === undefined) this.quietUntil = null;
    at = Math.max(at ?? Date.now(), this.lastDrainAt + this.gapMs);
    if (this.drainAt !== null && this.drainAt <= at) return;
    this.drainAt = at;
    void this.storage.setAlarm(at);
  }

  /** Delivers pending changes to members' UserHubs; failures wait in the outbox with backoff. */
  async drain(onlyUserIds?: string[], withChannel: string[] = []): Promise<void> {
    const now = Date.now();
    this.lastDrainAt = now;
    this.firstContacts.clear();
    const plan = planDrain(this.db, now, onlyUserIds, withChannel, (userId) => this.mayWait(userId, now));
    if (!onlyUserIds) this.quietUntil = plan.length === 0 ? this.everyoneWaitsUntil() : null;
    this.gapMs = plan.length > BUSY_DRAIN_HUBS ? BUSY_DRAIN_GAP_MS : DRAIN_GAP_MS;
    const delivered: { userId: string; rev: number }[] = [];
    const needChannel: string[] = [];
    await Promise.all(
      plan.map(async ({ userId, update, rev }) => {
        try {
          const outcome = update ? await withTimeout(userHub(this.env, userId).applyChannelUpdate(update), HUB_TIMEOUT_MS) : null;
          if (outcome) this.inboxDevices.set(userId, outcome.inboxDevices);
          if (outcome?.status === "need-channel") needChannel.push(userId);
          else delivered.push({ userId, rev });
        } catch (err) {
          console.warn("hub delivery failed; will retry", userId, loggableError(err));
          failDelivery(this.db, userId, Date.now());
        }
      }),
    );
    for (const { userId } of delivered) this.deliveredAt.set(userId, now);
    for (const rev of new Set(delivered.map((d) => d.rev))) {
      completeDeliveries(this.db, delivered.filter((d) => d.rev === rev).map((d) => d.userId), rev);
    }
    collectOutbox(this.db);
    // A hub that lost its copy of the channel gets it at once.
    if (needChannel.length > 0 && withChannel.length === 0) return this.drain(needChannel, needChannel);
    const next = nextDrainAt(this.db, Date.now(), (userId) => this.waitsUntil(userId));
    if (next !== null) this.schedule(next);
  }
}

/** A member's fixed moment in the live period (one of LIVE_SLOTS), from their id. */
function slotOffset(userId: string): number {
  let h = 0;
  for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) | 0;
  return (Math.abs(h) % LIVE_SLOTS) * (LIVE_MEMBER_GAP_MS / LIVE_SLOTS);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timed out")), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}

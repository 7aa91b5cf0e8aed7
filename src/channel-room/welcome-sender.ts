import type { Env } from "../env";
import { loggableError } from "../errors";
import { userHub } from "../user-hub/stub";
import { pendingWelcomes, welcomeDelivered } from "./mls-messages";
import { requireMeta, type RoomDb } from "./room-db";

const RETRY_MS = 2_000;

/**
 * Hands the Welcomes of accepted commits to each added user's UserHub. A row
 * goes only once the hub holds its copy; a failure waits for the next alarm,
 * so a Welcome is never lost between the commit's ack and the new device.
 */
export class WelcomeSender {
  constructor(
    private readonly db: RoomDb,
    private readonly env: Env,
    private readonly retryAt: (at: number) => void,
  ) {}

  /** Whether rows may be waiting (unknown after a wake-up); spares every alarm of a plaintext room the read. */
  private mayHavePending = true;

  /** An accepted commit stored Welcomes: the next deliver() looks. */
  noteStored(): void {
    this.mayHavePending = true;
  }

  async deliver(): Promise<void> {
    if (!this.mayHavePending) return;
    const rows = pendingWelcomes(this.db);
    this.mayHavePending = rows.length > 0;
    if (rows.length === 0) return;
    const channelId = requireMeta(this.db).channelId;
    let failed = false;
    await Promise.all(
      rows.map(async (r) => {
        try {
          await userHub(this.env, r.userId).storeWelcome(r.userId, { channelId, seq: r.seq, epoch: r.epoch, welcome: r.data, createdAt: r.createdAt });
          welcomeDelivered(this.db, r.seq, r.userId);
        } catch (err) {
          failed = true;
          console.warn("welcome delivery failed; will retry", r.userId, loggableError(err));
        }
      }),
    );
    if (failed) this.retryAt(Date.now() + RETRY_MS);
  }
}

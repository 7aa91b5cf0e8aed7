import { Budget } from "../budgets/budget";
import type { Config } from "../config";

/** What each member of one channel may spend, by kind (sends have theirs in SQLite: messages.ts). */
export class RoomBudgets {
  /** Edits, deletes and reactions share one budget. */
  readonly change: Budget;
  /** `sync` frames and the HTTP history and changes pages. */
  readonly sync: Budget;
  readonly read: Budget;
  readonly search: Budget;
  /** Adding and removing members. */
  readonly membership: Budget;
  /** One broadcast per interval; the rest are dropped without an error. */
  readonly typing: Budget;

  constructor(config: Config) {
    this.change = new Budget(config.changeBudget);
    this.sync = new Budget(config.syncBudget);
    this.read = new Budget(config.readBudget);
    this.search = new Budget(config.searchBudget);
    this.membership = new Budget(config.membershipBudget);
    this.typing = new Budget({ limit: config.typingIntervalMs > 0 ? 1 : 0, windowMs: config.typingIntervalMs });
  }
}

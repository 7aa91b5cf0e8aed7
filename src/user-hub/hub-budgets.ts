import { Budget } from "../budgets/budget";
import type { Config } from "../config";
import type { HubBudgetKind } from "../protocol";

const WHAT: Record<HubBudgetKind, string> = {
  profile: "profile changes",
  channelCreate: "new channels",
  pushSubscribe: "push subscriptions",
  block: "blocks and unblocks",
  keyPackageClaim: "KeyPackage claims",
  userSearch: "people searches",
  searchAll: "searches of all channels",
};

export class HubBudgets {
  private readonly budgets: Record<HubBudgetKind, Budget>;

  constructor(config: Config) {
    this.budgets = {
      profile: new Budget(config.profileBudget),
      channelCreate: new Budget(config.channelCreateBudget),
      pushSubscribe: new Budget(config.pushSubscribeBudget),
      block: new Budget(config.blockBudget),
      keyPackageClaim: new Budget(config.keyPackageClaimBudget),
      userSearch: new Budget(config.userSearchBudget),
      searchAll: new Budget(config.searchAllBudget),
    };
  }

  /** Throws `rate_limited` (with the wait) when the user has spent this kind's budget. */
  spend(kind: HubBudgetKind, now = Date.now()): void {
    this.budgets[kind].spend("user", WHAT[kind], now);
  }
}

import { AppError } from "../errors";

/** How many units a key may spend per window; `limit: 0` means no budget at all. */
export interface BudgetRule {
  limit: number;
  windowMs: number;
  /** How many may go at once (the bucket's size); `limit` when unset. Smaller than `limit` for costly work, so a full bucket spent at once cannot stall an object that others share. */
  burst?: number;
}

/**
 * A token bucket per key, in the memory of the object that owns the keys (a
 * room for its members, a hub for its user): `burst` units (`limit` unless
 * set), refilled at `limit` per `windowMs`, so a burst passes and then one
 * unit every windowMs/limit. Memory is enough: an evicted object forgets its buckets,
 * which only ever makes a budget more generous, once, and an object is not
 * evicted while it is being flooded.
 */
export class Budget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly size: number;

  constructor(private readonly rule: BudgetRule) {
    this.size = Math.max(1, Math.min(rule.burst ?? rule.limit, rule.limit));
  }

  /** Spends one unit of `key`'s budget; over budget, returns how long until one is back (and spends nothing). */
  take(key: string, now = Date.now()): number | null {
    const { limit, windowMs } = this.rule;
    if (limit <= 0) return null;
    const size = this.size;
    const msPerToken = windowMs / limit;
    const bucket = this.buckets.get(key);
    const tokens = bucket ? Math.min(size, bucket.tokens + (now - bucket.at) / msPerToken) : size;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.ceil((1 - tokens) * msPerToken);
    }
    if (this.buckets.size >= 10_000 && !bucket) this.prune(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return null;
  }

  /** Spends one unit or throws `rate_limited` with the wait. */
  spend(key: string, what: string, now = Date.now()): void {
    const wait = this.take(key, now);
    if (wait !== null) throw new AppError("rate_limited", `too many ${what}; try again later`, wait);
  }

  /** Forgets keys whose bucket has refilled: they are as good as new. */
  private prune(now: number): void {
    const { limit, windowMs } = this.rule;
    for (const [key, b] of this.buckets) if (b.tokens + ((now - b.at) * limit) / windowMs >= this.size) this.buckets.delete(key);
  }
}

/**
 * Snowflake-style 64-bit ids: 41 bits of milliseconds since EPOCH, 10 bits of
 * origin (derived from the object's id), 12 bits of sequence within the
 * millisecond. Ids only ever increase: if the clock steps back, the generator
 * keeps counting from the last time it used.
 *
 * Origins come from object ids, so two channels can share one; each
 * millisecond's sequence starts at a random point, which makes a clash
 * between two such channels in the same millisecond a 1 in 4 million chance.
 * Within a channel, ids are strictly increasing; (channelId, seq) is the key.
 */
export const EPOCH = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const ORIGIN_BITS = 10n;
const SEQ_BITS = 12n;
const MAX_SEQ = (1 << Number(SEQ_BITS)) - 1;

export interface SnowflakeState {
  lastMs: number;
  seq: number;
}

export class Snowflake {
  private lastMs: number;
  private seq: number;

  constructor(
    private readonly origin: number,
    last: SnowflakeState = { lastMs: 0, seq: 0 },
  ) {
    this.origin = origin & ((1 << Number(ORIGIN_BITS)) - 1);
    this.lastMs = last.lastMs;
    this.seq = last.seq;
  }

  /** The next id and the millisecond it carries, never smaller than any before. */
  next(now = Date.now()): { id: string; ms: number } {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = Math.floor(Math.random() * (MAX_SEQ >> 1));
    } else if (this.seq < MAX_SEQ) {
      this.seq++;
    } else {
      // Sequence exhausted within this millisecond (or the clock went back): borrow the next one.
      this.lastMs++;
      this.seq = Math.floor(Math.random() * (MAX_SEQ >> 1));
    }
    const id = (BigInt(this.lastMs - EPOCH) << (ORIGIN_BITS + SEQ_BITS)) | (BigInt(this.origin) << SEQ_BITS) | BigInt(this.seq);
    return { id: id.toString(), ms: this.lastMs };
  }
}

/** Reads back the parts of an id, to resume a generator after a restart. */
export function parseSnowflake(id: string): { ms: number; origin: number; seq: number } {
  const n = BigInt(id);
  return {
    ms: Number(n >> (ORIGIN_BITS + SEQ_BITS)) + EPOCH,
    origin: Number((n >> SEQ_BITS) & ((1n << ORIGIN_BITS) - 1n)),
    seq: Number(n & ((1n << SEQ_BITS) - 1n)),
  };
}

/** 10 origin bits from a Durable Object id's hex string. */
export function originFromObjectId(hexId: string): number {
  return parseInt(hexId.slice(-3), 16) & 0x3ff;
}
